import { once } from 'node:events';
import { gitMessage, spawnGit, tokens } from './git-run.js';

/** A blob of the object store, reachable or not. */
export interface Blob {
  oid: string;
  size: number;
}

/** What git could list: the blobs in object-id order (deterministic), and why the list may be short. */
export interface BlobList {
  blobs: Blob[];
  /** Objects the store's indexes name but git cannot find or read (a truncated or corrupt pack): of unknown type. */
  unreadable: string[];
  /** True when there were more than `maxBlobs`. */
  truncated: boolean;
  /** git's complaint when it could not list every object (a corrupt loose object or pack). */
  failure?: string;
}

/**
 * Every blob in the object store, loose or packed, reachable from a ref or not (`cat-file
 * --batch-all-objects`), sorted by object id. Trees and commits carry names, never file content.
 */
export async function listBlobs(gitDir: string, maxBlobs: number): Promise<BlobList> {
  const child = spawnGit(gitDir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype) %(objectsize)']);
  const result: BlobList = { blobs: [], unreadable: [], truncated: false };
  const exited = exitOf(child);
  for await (const line of tokens(child.stdout, 0x0a)) {
    const [oid, type, size] = line.split(' ');
    if (oid && type === 'missing') result.unreadable.push(oid);
    if (type !== 'blob' || !oid || !size) continue;
    if (result.blobs.length + result.unreadable.length >= maxBlobs) {
      result.truncated = true;
      child.kill();
      break;
    }
    result.blobs.push({ oid, size: Number(size) });
  }
  const failure = await exited;
  if (failure && !result.truncated) result.failure = failure;
  return result;
}

/** Where a blob was written in history: by which commit, at which path. */
export interface Place {
  commit: string;
  /** Committer time, seconds since the epoch. */
  time: number;
  path: string;
  /** Other (commit, path) pairs that wrote the same blob. */
  others: number;
}

/** True when place `a` names a blob before `b`: the newest commit, then the smaller path, then the smaller commit id. */
const before = (a: Omit<Place, 'others'>, b: Omit<Place, 'others'>): boolean =>
  a.time !== b.time ? a.time > b.time : a.path !== b.path ? a.path < b.path : a.commit < b.commit;

/**
 * The place that names each wanted blob: among the commits reachable from any ref that wrote it
 * (added it, or changed a path to it, merges' own resolutions included), the newest by committer
 * time, ties broken by path and then commit id. One pass of `rev-list --all | diff-tree --stdin`.
 * Resolves with git's complaint as `failure` when history could not be read to its end.
 */
export async function placesOf(gitDir: string, wanted: ReadonlySet<string>, deadlineMs = NAMING_MS): Promise<{ places: Map<string, Place>; failure?: string }> {
  const list = spawnGit(gitDir, ['rev-list', '--all']);
  const diff = spawnGit(gitDir, ['diff-tree', '--stdin', '-r', '--root', '-c', '--no-renames', '--no-abbrev', '--raw', '-z', '--always', '--format=%H %ct']);
  list.stdout.pipe(diff.stdin);
  const exits = Promise.all([exitOf(list), exitOf(diff)]);
  let timedOut = false;
  const stop = () => {
    timedOut = true;
    list.kill();
    diff.kill();
  };
  // The timer stops git while it is slow to answer; the check on each token stops the reading when
  // output keeps arriving (a fast git can hand over all of a short history before a timer's turn).
  const deadline = Date.now() + deadlineMs;
  const timer = setTimeout(stop, deadlineMs);
  const places = new Map<string, Place>();
  let commit: { id: string; time: number } | undefined;
  let blob: string | undefined;
  for await (const raw of tokens(diff.stdout, 0)) {
    if (Date.now() >= deadline) {
      stop();
      break;
    }
    if (blob !== undefined) {
      record(places, blob, commit, raw);
      blob = undefined;
      continue;
    }
    const token = raw.replace(/^\n+/, '');
    const header = /^([0-9a-f]{40,64}) (\d+)$/.exec(token);
    if (header) commit = { id: header[1]!, time: Number(header[2]) };
    else if (token.startsWith(':')) blob = resultBlob(token, wanted);
  }
  clearTimeout(timer);
  const failure = timedOut ? `stopped after ${deadlineMs / 1000} s` : (await exits).find((f) => f !== undefined);
  return { places, ...(failure ? { failure } : {}) };
}

/**
 * How long naming may take. Every blob is inspected whatever happens here: naming only says which
 * commit and path wrote it, and a history too long to name in time (a million commits) leaves the
 * rest named by blob id, with a warning notice.
 */
const NAMING_MS = 10 * 60 * 1000;

/** The blob a raw diff line writes (`:mode.. oid.. status`, one colon per parent), if it is a wanted file. */
function resultBlob(header: string, wanted: ReadonlySet<string>): string {
  const parents = /^:+/.exec(header)![0].length;
  const fields = header.slice(parents).split(' ');
  const mode = fields[parents];
  const oid = fields[2 * parents + 1];
  // Gitlinks (160000) name a submodule's commit, and deletions write no blob.
  return oid && mode && !mode.startsWith('160') && wanted.has(oid) ? oid : '';
}

function record(places: Map<string, Place>, oid: string, commit: { id: string; time: number } | undefined, path: string): void {
  if (!oid || !commit) return;
  const candidate = { commit: commit.id, time: commit.time, path };
  const known = places.get(oid);
  if (!known) places.set(oid, { ...candidate, others: 0 });
  else places.set(oid, before(candidate, known) ? { ...candidate, others: known.others + 1 } : { ...known, others: known.others + 1 });
}

/**
 * The blob at each path of HEAD's tree (empty when HEAD is unborn or unreadable), at most `max`
 * paths; `complete` is false when there were more (a path not listed is then of unknown state).
 */
export async function headPaths(gitDir: string, max: number): Promise<{ paths: Map<string, string>; complete: boolean }> {
  const child = spawnGit(gitDir, ['ls-tree', '-r', '-z', '--full-tree', 'HEAD']);
  const exited = exitOf(child);
  const paths = new Map<string, string>();
  for await (const entry of tokens(child.stdout, 0)) {
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (tab > 0 && type === 'blob' && oid) paths.set(entry.slice(tab + 1), oid);
    if (paths.size >= max) {
      child.kill();
      await exited;
      return { paths, complete: false };
    }
  }
  await exited;
  return { paths, complete: true };
}

/** Resolves when the child exits: undefined on success, else git's first line of complaint. */
export async function exitOf(child: ReturnType<typeof spawnGit>): Promise<string | undefined> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString('utf8');
  });
  child.stdin.on('error', () => undefined); // A child that exits early closes its input: not an error of ours.
  const [code, signal] = (await once(child, 'close').catch((error: unknown) => [null, String(error)])) as [number | null, string | null];
  if (code === 0) return undefined;
  if (signal === 'SIGTERM') return undefined; // Stopped by us (a limit reached).
  return gitMessage({ stderr: stderr || `git exited with ${code ?? signal}` });
}
