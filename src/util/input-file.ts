import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
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

  /** `systemError`: the message is an errno code (ENOENT, EACCES); otherwise it says what the file is. */
  constructor(
    message: string,
    readonly systemError = false,
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
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? new InputFileError(code, true) : error;
}

/** The whole file, when it is a regular file of at most `maxBytes`; throws InputFileError otherwise. */
export async function readInputFile(file: string, maxBytes: number, check?: (size: number) => void): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, FLAGS);
  } catch (error) {
    throw asInputFileError(error);
  }
  try {
    const size = admitted(await handle.stat(), maxBytes);
    check?.(size);
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw asInputFileError(error);
  } finally {
    await handle.close();
  }
}

/** {@link readInputFile}, synchronously (the plate key is read while flags are parsed). */
export function readInputFileSync(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, FLAGS);
  } catch (error) {
    throw asInputFileError(error);
  }
  try {
    const size = admitted(fstatSync(fd), maxBytes);
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
    throw new InputFileError(`is ${kind ? `a ${kind}` : 'not a regular file'}, not a regular file`);
  }
  if (stats.size > maxBytes) throw new InputFileError(`is ${stats.size} bytes, over the ${maxBytes}-byte limit for this input`);
  return stats.size;
}
