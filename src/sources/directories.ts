import { closeSync, constants, type Dirent, fstatSync, lstatSync, openSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errorCode } from '../util/errors.js';

/**
 * A directory of the walk, held open. Its entries are reached through its descriptor: on Linux by
 * `/proc/self/fd/<fd>/<name>`, which the kernel resolves from the open directory itself (what
 * openat does; Node has no openat). A directory of the audited tree swapped for a symlink out of it
 * while the walk runs therefore cannot redirect the walk: the name is looked up in the directory the
 * walk opened, and directories are opened with O_NOFOLLOW.
 */
export interface OpenDirectory {
  fd: number;
  /** The prefix of its entries' paths: `/proc/self/fd/<fd>/`, or its path on disk where /proc is absent. */
  entries: Buffer;
  /** Its path on disk and (where /proc is absent, else 0) identity, checked again after listing. */
  disk: Buffer;
  dev: number;
  ino: number;
  /** Subdirectories still to be opened through it; it is closed when none remain. */
  pending: number;
}

/** The directory was replaced (by a symlink, a file, or nothing) between the listing and the open. */
export class DirectoryChangedError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'DirectoryChangedError';
  }
}

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK;
const SEPARATOR = Buffer.from(path.sep);

let procWorks: boolean | undefined;

/** Forces the walk through /proc descriptors on or off (undefined: probe again); tests use it to run the fallback. */
export function setViaDescriptors(on: boolean | undefined): void {
  procWorks = on;
}

/** Whether `/proc/self/fd/<fd>` reaches an open directory here (Linux with /proc mounted). */
export function viaDescriptors(): boolean {
  if (procWorks === undefined) {
    procWorks = false;
    try {
      const fd = openSync('/', DIRECTORY_FLAGS); // Not '.': the working directory may be gone or unreadable.
      try {
        const viaProc = lstatSync(`/proc/self/fd/${fd}/.`);
        const direct = fstatSync(fd);
        procWorks = viaProc.isDirectory() && viaProc.ino === direct.ino && viaProc.dev === direct.dev;
      } finally {
        closeSync(fd);
      }
    } catch {
      procWorks = false;
    }
  }
  return procWorks;
}

function opened(fd: number, disk: Buffer): OpenDirectory {
  if (viaDescriptors()) return { fd, entries: Buffer.from(`/proc/self/fd/${fd}/`), disk, dev: 0, ino: 0, pending: 0 };
  // Only the fallback compares identities (through /proc the descriptor is the identity).
  const stats = fstatSync(fd);
  return { fd, entries: Buffer.concat([disk, SEPARATOR]), disk, dev: stats.dev, ino: stats.ino, pending: 0 };
}

/** Opens the walk's root (its path as given: a root that is a symlink was resolved by the caller). */
export function openRoot(disk: Buffer): OpenDirectory {
  return opened(openSync(disk, DIRECTORY_FLAGS | constants.O_NOFOLLOW), disk);
}

/**
 * Opens subdirectory `name` of `parent` (listed there as a directory). Through the parent's
 * descriptor where /proc allows it; elsewhere by path, with its identity compared before and after
 * the open (and after listing, see `checkUnchanged`), which narrows the race but cannot close it.
 */
export function openChild(parent: OpenDirectory, name: Buffer, disk: Buffer): OpenDirectory {
  const at = entryPath(parent, name);
  let before: Stats | undefined;
  let fd: number;
  try {
    before = viaDescriptors() ? undefined : lstatSync(at);
    fd = openSync(at, DIRECTORY_FLAGS | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ELOOP' || code === 'ENOTDIR') throw new DirectoryChangedError('no longer a directory');
    if (code === 'ENOENT') throw new DirectoryChangedError('removed during the scan');
    throw error;
  }
  const dir = opened(fd, disk);
  if (before && (before.ino !== dir.ino || before.dev !== dir.dev)) {
    close(dir);
    throw new DirectoryChangedError('replaced by another directory during the scan');
  }
  return dir;
}

/** Where /proc is absent: throws when the directory's path no longer leads to the directory listed. */
export function checkUnchanged(dir: OpenDirectory): void {
  if (viaDescriptors()) return;
  const now = lstatSync(dir.disk);
  if (now.ino !== dir.ino || now.dev !== dir.dev) throw new DirectoryChangedError('replaced by another directory during the scan');
}

/** The path of entry `name` of an open directory, valid while it stays open. */
export const entryPath = (dir: OpenDirectory, name: Buffer): Buffer => Buffer.concat([dir.entries, name]);

/**
 * The directory's entries in byte order: deterministic on every machine, whatever order the
 * filesystem returns. Synchronous, as the walk's lstats are: the listing is almost always in the
 * kernel's cache, where a round trip through libuv's thread pool costs more CPU than the getdents
 * calls (the bench share's 169 directories: 22-35 ms synchronous, 33-42 ms through the pool). The
 * walk gives the event loop a turn per directory instead.
 */
export function list(dir: OpenDirectory): Dirent<Buffer>[] {
  const entries = readdirSync(dir.entries, { withFileTypes: true, encoding: 'buffer' });
  return entries.sort((a, b) => Buffer.compare(a.name, b.name));
}

export function close(dir: OpenDirectory): void {
  closeSync(dir.fd);
}
