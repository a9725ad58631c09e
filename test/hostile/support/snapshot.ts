import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What read-only means, per entry: content, type and mode, times, link target. */
export interface EntryState {
  mode: number;
  size: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  ctimeNs: bigint;
  /** sha256 of regular files up to HASH_LIMIT bytes; link target for symlinks. */
  content?: string;
}

/** Past this a file is compared by size and times only (the 5 GiB sparse file). */
const HASH_LIMIT = 64 * 1024 * 1024;
const NOATIME = fs.constants.O_NOATIME ?? 0;
const isDir = (e: EntryState): boolean => (e.mode & 0o170000) === 0o040000;

/**
 * Runs `fn` with the process inside each directory it descends into, so every syscall takes a
 * one-component relative path: absolute paths 2,000 levels deep make each lookup walk 2,000
 * components (quadratic, minutes on a busy machine). Synchronous throughout, so nothing else runs
 * while the working directory is borrowed.
 */
function inside<T>(dir: string, fn: () => T): T {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(previous);
  }
}

/**
 * Every entry under `root`, keyed `./a/b` by raw name bytes (latin1, so invalid UTF-8 survives), read
 * so that the snapshot does not disturb what it records: each directory is stat'ed before it is read,
 * files are opened with O_NOATIME, special files are never opened and links never followed.
 */
export function snapshotTree(root: string): Map<string, EntryState> {
  const out = new Map<string, EntryState>();
  const visit = (key: string) => {
    out.set(key, state(fs.lstatSync('.', { bigint: true })));
    for (const name of fs.readdirSync('.', { encoding: 'buffer' }).sort(Buffer.compare)) {
      const childKey = `${key}/${name.toString('latin1')}`;
      const child = fs.lstatSync(name, { bigint: true });
      if (child.isDirectory()) inside(name.toString('utf8'), () => visit(childKey));
      else if (child.isSymbolicLink()) out.set(childKey, { ...state(child), content: fs.readlinkSync(name, { encoding: 'buffer' }).toString('latin1') });
      else if (child.isFile() && child.size <= HASH_LIMIT) out.set(childKey, { ...state(child), content: hashFile(name) });
      else out.set(childKey, state(child));
    }
  };
  inside(path.resolve(root), () => visit('.'));
  return out;
}

function state(stats: fs.BigIntStats): EntryState {
  return { mode: Number(stats.mode), size: Number(stats.size), mtimeNs: stats.mtimeNs, atimeNs: stats.atimeNs, ctimeNs: stats.ctimeNs };
}

function hashFile(file: Buffer): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | NOATIME);
  try {
    return createHash('sha256').update(fs.readFileSync(fd)).digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

/** Visits the entries of a snapshot without reading any directory: `fn(name)` runs in the parent. */
function eachEntry(root: string, snapshot: Map<string, EntryState>, fn: (key: string, name: Buffer) => void): void {
  const children = new Map<string, string[]>();
  for (const key of snapshot.keys()) {
    if (key === '.') continue;
    const parent = key.slice(0, key.lastIndexOf('/'));
    children.set(parent, [...(children.get(parent) ?? []), key]);
  }
  const visit = (dirKey: string) => {
    for (const key of children.get(dirKey) ?? []) {
      const name = Buffer.from(key.slice(key.lastIndexOf('/') + 1), 'latin1');
      fn(key, name);
      if (isDir(snapshot.get(key)!)) inside(name.toString('utf8'), () => visit(key));
    }
  };
  inside(path.resolve(root), () => {
    fn('.', Buffer.from('.'));
    visit('.');
  });
}

/**
 * Sets every entry's atime to `atime` (keeping mtimes), so that any later plain read would move it
 * (relatime updates an atime older than the mtime). Returns fresh stat-only states.
 */
export function ageAtimes(root: string, snapshot: Map<string, EntryState>, atime: Date): Map<string, EntryState> {
  eachEntry(root, snapshot, (key, name) => fs.lutimesSync(name, atime, new Date(Number(snapshot.get(key)!.mtimeNs / 1_000_000n))));
  return statOnly(root, snapshot);
}

/** lstat of every entry of a snapshot, without reading any directory or file. */
export function statOnly(root: string, snapshot: Map<string, EntryState>): Map<string, EntryState> {
  const out = new Map<string, EntryState>();
  eachEntry(root, snapshot, (key, name) => {
    try {
      out.set(key, state(fs.lstatSync(name, { bigint: true })));
    } catch {
      // A missing entry shows up in the diff as removed.
    }
  });
  return out;
}

/** Differences between two snapshots, one line each (empty when identical). */
export function diffSnapshots(before: Map<string, EntryState>, after: Map<string, EntryState>, fields: readonly (keyof EntryState)[]): string[] {
  const lines: string[] = [];
  for (const [key, was] of before) {
    const now = after.get(key);
    if (!now) lines.push(`removed ${JSON.stringify(key)}`);
    else
      for (const field of fields)
        if (was[field] !== now[field]) lines.push(`${field} changed: ${JSON.stringify(key)} ${String(was[field])} -> ${String(now[field])}`);
  }
  for (const key of after.keys()) if (!before.has(key)) lines.push(`added ${JSON.stringify(key)}`);
  return lines;
}
