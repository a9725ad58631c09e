import { open, stat } from 'node:fs/promises';
import { openReadOnly } from '../../util/open-read-only.js';
import type { RandomAccessInput } from '../containers/format.js';
import type { SourceEvent } from '../item.js';
import { failureCoverage, limitCoverage } from './errors.js';
import type { Walk } from './walk.js';

/** The whole of a container in memory, and how to release its share of maxBufferedArchiveBytes. */
export interface HeldBytes {
  bytes: Buffer;
  release(): void;
}

/** What a reader asks of holdWhole besides maxBufferedArchiveBytes. */
export interface HoldOptions {
  /**
   * Also hold the container to maxMemberBufferBytes, whether it comes as a path or as bytes: for a
   * parser whose peak memory is several times its input (postal-mime, about six times a message), so
   * that the cap on one member's bytes is the cap on what is parsed.
   */
  withinMemberBuffer?: boolean;
}

/**
 * The whole bytes of a container whose reader wants them in memory (sql.js opens a database from a
 * buffer, libarchive.js a 7z or rar, pdf-lib and pdf.js a PDF, postal-mime an e-mail, msgreader an
 * Outlook message). A buffer from the walk was counted when it was buffered; a file given by path is
 * counted here against maxBufferedArchiveBytes (with what enclosing archives hold), and read only when
 * it fits, and only up to the size it had: a database larger than the cap is coverage, never an
 * unbounded read. A limit, or a file that cannot be read, is the coverage event the reader yields.
 */
export async function holdWhole(
  input: RandomAccessInput,
  location: string,
  walk: Walk,
  what: string,
  hold: HoldOptions = {},
): Promise<HeldBytes | SourceEvent> {
  try {
    return await holdOrLimit(input, location, walk, what, hold);
  } catch (error) {
    // The system error's own message (`EIO: ...`): the cache tells a transient failure by it.
    return failureCoverage(location, error);
  }
}

async function holdOrLimit(input: RandomAccessInput, location: string, walk: Walk, what: string, hold: HoldOptions): Promise<HeldBytes | SourceEvent> {
  const size = 'buffer' in input ? input.buffer.length : (await stat(input.path)).size;
  const memberCap = walk.options.maxMemberBufferBytes;
  if (hold.withinMemberBuffer && size > memberCap) return limitCoverage(location, 'maxMemberBufferBytes', memberCap, `${what} of ${size} bytes not opened`);
  if ('buffer' in input) return { bytes: input.buffer, release: () => undefined };
  const cap = walk.options.maxBufferedArchiveBytes;
  if (walk.buffered + size > cap) {
    const held = walk.buffered > 0 ? ` (${walk.buffered} bytes of enclosing archives already held)` : '';
    return limitCoverage(location, 'maxBufferedArchiveBytes', cap, `${what} of ${size} bytes not opened${held}`);
  }
  walk.buffered += size;
  let released = false;
  const release = (): void => {
    if (!released) walk.buffered -= size;
    released = true;
  };
  try {
    // The walk's path is a /proc/self/fd link to a descriptor it opened and checked: followed.
    const handle = await openReadOnly((flags) => open(input.path, flags), true);
    try {
      const bytes = Buffer.alloc(size);
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(bytes, at, size - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return { bytes: bytes.subarray(0, at), release };
    } finally {
      await handle.close();
    }
  } catch (error) {
    release();
    throw error;
  }
}
