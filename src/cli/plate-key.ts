import path from 'node:path';
import { loadPlateKey, PlateKeyError } from '../identify/plates/key.js';
import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

/**
 * The plate key: from a key file, or from CUSTODY_PLATE_KEY. Never a command-line value (it would
 * land in shell history and process listings).
 */
export function readPlateKey(io: Io, keyFile: string | undefined): Buffer | undefined {
  try {
    return loadPlateKey({ env: io.env, ...(keyFile ? { keyFile: path.resolve(io.cwd, keyFile), keyFileShownAs: keyFile } : {}) });
  } catch (error) {
    if (error instanceof PlateKeyError) throw new UsageError(error.message);
    throw error;
  }
}
