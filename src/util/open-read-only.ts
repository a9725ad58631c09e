import { constants } from 'node:fs';
import { errorCode } from './errors.js';

// O_NOATIME keeps reads from touching access times, so an audit leaves no trace in the evidence.
// The kernel only allows it to the file's owner (or root); for other files (EPERM) the open falls
// back to a plain read. Ownership differs per file, so a refusal is not remembered.
const NOATIME = constants.O_NOATIME ?? 0;

// O_NONBLOCK: a file swapped for a FIFO does not block the open forever; on regular files it changes
// nothing. O_NOFOLLOW (added below): a file swapped for a symlink after the walk is never read through it.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The one way custody opens evidence for reading: `open` is called with the flags (descriptor or
 * FileHandle, as the caller needs). `followLinks` is only for `/proc/self/fd/N` paths, which are
 * links to a descriptor already opened and checked this way.
 */
export async function openReadOnly<T>(open: (flags: number) => Promise<T>, followLinks = false): Promise<T> {
  const flags = READ_FLAGS | (followLinks ? 0 : constants.O_NOFOLLOW);
  if (NOATIME !== 0) {
    try {
      return await open(flags | NOATIME);
    } catch (error) {
      if (errorCode(error) !== 'EPERM') throw error;
    }
  }
  return open(flags);
}
