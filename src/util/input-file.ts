import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { errorCode } from './errors.js';
import { specialKind } from './file-kind.js';

/**
 * Reading a file named by a flag (a fingerprint set, a plate key): only a regular file, only up to
 * a cap, never blocking. `readFile('/dev/zero')` grows until the process dies and opening a FIFO
 * waits for a writer forever; both were seen with `--fingerprints`. The file is opened with
 * O_NONBLOCK (a FIFO opens at once, and the flag changes nothing for a regular file), its type and
 * size are taken from the open descriptor (so a path swapped after a check cannot slip through),
 * and only then is it read.
 */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';

  /**
   * `systemError`: the message is an errno code (ENOENT, EACCES); otherwise it says what the file is,
   * and `refused` says why, for callers that word it themselves.
   */
  constructor(
    message: string,
    readonly systemError = false,
    readonly refused?: { kind: string | undefined } | { tooLarge: true },
  ) {
    super(message);
  }
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/**
 * The message is the file's code as `readFile` would give it (`ENOENT`); callers word it ("cannot
 * read fingerprint file (ENOENT)"). Errors that are not the system's (a caller's check) pass through.
 */
function asInputFileError(error: unknown): unknown {
  const code = errorCode(error);
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? new InputFileError(code, true) : error;
}

/**
 * {@link readInputFileSync} for async callers. These inputs are read at start-up, before the audit
 * has anything else to do, so one synchronous read costs nothing and keeps one implementation.
 */
export async function readInputFile(file: string, maxBytes: number, check?: (size: number) => void): Promise<Buffer> {
  return readInputFileSync(file, maxBytes, check);
}

/**
 * The whole file, when it is a regular file of at most `maxBytes`; throws InputFileError otherwise.
 * `check` sees the size before anything is read (the fingerprint loader's heap check).
 */
export function readInputFileSync(file: string, maxBytes: number, check?: (size: number) => void): Buffer {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (error) {
    throw asInputFileError(error);
  }
  try {
    const size = admitted(fstatSync(fd), maxBytes);
    check?.(size);
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, buffer, filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw asInputFileError(error);
  } finally {
    closeSync(fd);
  }
}

function admitted(stats: Stats, maxBytes: number): number {
  if (!stats.isFile()) {
    const kind = specialKind(stats);
    throw new InputFileError(`is ${kind ? `a ${kind}` : 'not a regular file'}, not a regular file`, false, { kind });
  }
  if (stats.size > maxBytes) throw new InputFileError(`is ${stats.size} bytes, over the ${maxBytes}-byte limit for this input`, false, { tooLarge: true });
  return stats.size;
}
