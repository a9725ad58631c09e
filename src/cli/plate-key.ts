import path from 'node:path';
import { loadPlateKey, PlateKeyError } from '../identify/plates/key.js';
import { UsageError } from '../util/errors.js';
import { InputFileError, readInputFileSync } from '../util/input-file.js';
import type { Io } from './io.js';

/** A key is 16 to a few hundred bytes; 64 KiB leaves room for comments and odd encodings. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * The plate key: from a key file, or from CUSTODY_PLATE_KEY. Never a command-line value (it would
 * land in shell history and process listings).
 */
export function readPlateKey(io: Io, keyFile: string | undefined): Buffer | undefined {
  try {
    // A FIFO or /dev/zero given as the key file would block or grow without end in readFileSync.
    if (keyFile) readInputFileSync(path.resolve(io.cwd, keyFile), MAX_KEY_FILE_BYTES);
    return loadPlateKey({ env: io.env, ...(keyFile ? { keyFile: path.resolve(io.cwd, keyFile) } : {}) });
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new UsageError(error.systemError ? `cannot read plate key file ${keyFile} (${error.message})` : `plate key file ${keyFile} ${error.message}`);
    }
    if (error instanceof PlateKeyError) throw new UsageError(error.message);
    throw error;
  }
}
