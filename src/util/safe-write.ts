import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CustodyError, describeError, errorCode, UsageError } from './errors.js';
// Paths in messages are user input: invisible characters are shown escaped.
import { escapeInvisible as quote } from './escape.js';
import { isInside } from './paths.js';

/**
 * The one place custody decides where a file it writes may go (reports, signatures, fingerprint
 * files, the cache directory). custody never modifies what it audits, so a destination is checked
 * where the operating system would put it, not where its spelling suggests:
 * - the destination's folder is resolved to its real path (symbolic links followed, `..` applied
 *   after each link as the kernel does), and a destination inside an audited root's real path is
 *   refused, as is overwriting a protected input file (an audited manifest);
 * - the file is written to that resolved path as a new file (exclusive create in the same folder,
 *   then a rename over the name), so a symbolic link or hard link already at the name is never
 *   written through. A symbolic link at the name is refused outright rather than replaced.
 * A refusal is a UsageError (exit 2) naming the path as the user gave it.
 */
export interface WriteGuard {
  /** Audited roots: the real path, and the absolute path as given, for messages. */
  readonly roots: readonly { real: string; shown: string }[];
  /** Real paths of input files custody must not overwrite (audited manifests). */
  readonly files: readonly string[];
  /**
   * Real paths of folders that hold audited files without being walked (the folders of a
   * `--files-from` list): nothing is written directly into them; their subfolders are not audited.
   */
  readonly folders?: readonly string[];
}

/** A guard for the given audited roots and protected files (absolute, or relative to `cwd`). */
export async function writeGuard(cwd: string, roots: readonly string[], files: readonly string[] = [], folders: readonly string[] = []): Promise<WriteGuard> {
  const existing = await Promise.all(folders.map(async (folder) => (await isFolder(absolute(cwd, folder))) && realpath(absolute(cwd, folder))));
  return {
    roots: await Promise.all(roots.map(async (root) => ({ real: await realPathOf(absolute(cwd, root)), shown: path.resolve(cwd, root) }))),
    files: await Promise.all(files.map((file) => realPathOf(absolute(cwd, file)))),
    folders: [...new Set(existing.filter((folder): folder is string => typeof folder === 'string'))],
  };
}

const isFolder = (folder: string): Promise<boolean> =>
  stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );

/**
 * The path as the operating system would resolve it: the real path of its longest existing prefix,
 * with the rest appended. The prefix is taken from the path as written, not lexically normalised
 * first: `link/../x` is the parent of the link's target, not a sibling of the link.
 */
export async function realPathOf(file: string): Promise<string> {
  const parts = file.split(path.sep);
  for (let n = parts.length; n > 0; n -= 1) {
    const prefix = parts.slice(0, n).join(path.sep) || path.sep;
    try {
      return path.join(await realpath(prefix), ...parts.slice(n));
    } catch {
      // Not there (or not a folder): try the next shorter prefix.
    }
  }
  return path.resolve(file);
}

/** The audited root (absolute, as given) that a resolved path lies in, if any. */
export function rootHolding(guard: WriteGuard, real: string): string | undefined {
  return guard.roots.find((root) => isInside(real, root.real))?.shown;
}

/**
 * Where a file named `shown` (relative to `cwd`) would really be written, refused with a UsageError
 * when that is inside an audited root, is a protected input, or is a symbolic link or a folder.
 */
export async function checkedDestination(guard: WriteGuard, cwd: string, shown: string): Promise<string> {
  const raw = absolute(cwd, shown);
  const name = raw.slice(raw.lastIndexOf(path.sep) + 1);
  if (name === '' || name === '.' || name === '..') throw new UsageError(`cannot write ${quote(shown)}: not a file name`);
  const folder = await realPathOf(raw.slice(0, raw.length - name.length) || path.sep);
  const destination = path.join(folder, name);
  const root = rootHolding(guard, destination);
  if (root !== undefined)
    throw new UsageError(`refusing to write ${quote(shown)} inside the audited tree ${quote(root)} (custody never modifies what it audits)`);
  if (guard.files.includes(destination)) throw new UsageError(`refusing to write ${quote(shown)} over an input of this run`);
  if (guard.folders?.includes(folder))
    throw new UsageError(`refusing to write ${quote(shown)} into a folder of audited files (custody never modifies what it audits)`);
  // A missing folder is reported now, not after a long audit.
  const inFolder = await stat(folder).catch((error: unknown) => errorCode(error) ?? 'ENOENT');
  if (typeof inFolder === 'string' || !inFolder.isDirectory())
    throw new UsageError(`cannot write ${quote(shown)}: ${typeof inFolder === 'string' ? inFolder : 'ENOTDIR'} (its folder must exist)`);
  const existing = await lstat(destination).catch(() => undefined);
  if (existing?.isSymbolicLink())
    throw new UsageError(`refusing to write ${quote(shown)}: it is a symbolic link (custody never writes through links; remove it or choose another name)`);
  if (existing?.isDirectory()) throw new UsageError(`cannot write ${quote(shown)}: it is a directory`);
  return destination;
}

/**
 * A folder custody will create files in (the cache), named `shown` relative to `cwd`: its real path,
 * where the files must then be created, and the audited root it lies in, if any (the caller decides
 * whether that is an error or turns the feature off).
 */
export async function resolvedFolder(guard: WriteGuard, cwd: string, shown: string): Promise<{ real: string; root: string | undefined }> {
  const real = await realPathOf(absolute(cwd, shown));
  return { real, root: rootHolding(guard, real) ?? guard.folders?.find((folder) => folder === real) };
}

/**
 * Checks `shown` with checkedDestination, then writes `data` there without following a link at
 * the name: a new file created exclusively beside it, renamed over it. A device or pipe already at
 * the name (`/dev/null`) is written in place, opened without following links. `data` may be chunks
 * produced as the file is written (a fingerprint store), so a large file is never whole in memory;
 * a CustodyError thrown while producing them passes through as it is.
 */
export async function writeOutside(guard: WriteGuard, cwd: string, shown: string, data: WriteData): Promise<void> {
  const destination = await checkedDestination(guard, cwd, shown);
  const fail = (error: unknown): never => {
    if (error instanceof CustodyError) throw error;
    throw new UsageError(`cannot write ${quote(shown)}: ${errorCode(error) ?? describeError(error)}`);
  };
  // Checked again as it is written: a link may have appeared since the check before the audit.
  const existing = await lstat(destination).catch((error: unknown) => (errorCode(error) === 'ENOENT' ? undefined : fail(error)));
  if (existing && !existing.isFile()) {
    const handle = await open(destination, constants.O_WRONLY | constants.O_NOFOLLOW).catch(fail);
    try {
      await writeData(handle, data).catch(fail);
    } finally {
      await handle.close();
    }
    return;
  }
  // A short name of its own, so a destination name near the length limit still gets a temp file.
  const temp = path.join(path.dirname(destination), `.custody-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o666);
    try {
      await writeData(handle, data);
    } finally {
      await handle.close();
    }
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true });
    fail(error);
  }
}

/** What writeOutside writes: the whole content, or its chunks in order. */
export type WriteData = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

async function writeData(handle: FileHandle, data: WriteData): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) return handle.writeFile(data);
  for await (const chunk of data) for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done)).bytesWritten;
}

function absolute(cwd: string, file: string): string {
  // Joined as written: path.resolve would apply `..` lexically, before links are followed.
  return path.isAbsolute(file) ? file : `${cwd}${path.sep}${file}`;
}
