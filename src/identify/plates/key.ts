import { createHmac } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { InputFileError, readInputFileSync } from '../../util/input-file.js';
import { isNormalisedPlate } from './normalise.js';

/**
 * Plate keys. Plates are digested with HMAC-SHA-256 under a secret key because the plate space is
 * small: a few letters and digits can be enumerated in hours, so a plain SHA-256 of a plate is as
 * good as the plate itself. With a key, a digest says nothing to someone without the key.
 *
 * **Key encoding.** The key is the bytes of the value of `CUSTODY_PLATE_KEY` (UTF-8), or the raw bytes
 * of a key file, with leading and trailing ASCII whitespace (space, tab, CR, LF) removed so a trailing
 * newline does not change the key. It must be at least {@link MIN_PLATE_KEY_BYTES} bytes; a random
 * value such as the output of `openssl rand -hex 32` is what it should be. The key is never accepted
 * on the command line (it would land in shell history and process listings) and never written out.
 */

/** Environment variable holding the plate key. */
export const PLATE_KEY_ENV = 'CUSTODY_PLATE_KEY';
/** Shortest accepted key. */
export const MIN_PLATE_KEY_BYTES = 16;

/** A missing, unreadable or too short plate key. The CLI maps it to exit code 2 with its message. */
export class PlateKeyError extends Error {
  override readonly name = 'PlateKeyError';
}

/** Where to look for the plate key. */
export interface PlateKeyOptions {
  /** The process environment (injected, so tests and the CLI decide). */
  env: Readonly<Record<string, string | undefined>>;
  /** A key file path; takes precedence over the environment when given. */
  keyFile?: string;
  /** The key file as messages name it (as the user typed it); default `keyFile`. */
  keyFileShownAs?: string;
}

/** A key is 16 to a few hundred bytes; 64 KiB leaves room for comments and odd encodings. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Loads the plate key from `keyFile` when given, else from `CUSTODY_PLATE_KEY`. Returns `undefined`
 * when neither is set (an empty variable counts as unset); throws {@link PlateKeyError} when the file
 * cannot be read or the key is shorter than 16 bytes.
 */
export function loadPlateKey(options: PlateKeyOptions): Buffer | undefined {
  if (options.keyFile !== undefined) {
    const shown = options.keyFileShownAs ?? options.keyFile;
    let bytes: Buffer;
    try {
      // Never readFileSync: a FIFO or /dev/zero given as the key file would block or grow without end.
      bytes = readInputFileSync(options.keyFile, MAX_KEY_FILE_BYTES);
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      throw new PlateKeyError(error.systemError ? `cannot read plate key file ${shown} (${error.message})` : `plate key file ${shown} ${error.message}`);
    }
    return checked(trimAsciiWhitespace(bytes), `plate key file ${options.keyFile}`);
  }
  const text = options.env[PLATE_KEY_ENV];
  if (text === undefined || text === '') return undefined;
  return checked(trimAsciiWhitespace(Buffer.from(text, 'utf8')), PLATE_KEY_ENV);
}

function checked(key: Buffer, origin: string): Buffer {
  if (key.length < MIN_PLATE_KEY_BYTES) {
    throw new PlateKeyError(`${origin} holds a ${key.length}-byte plate key; at least ${MIN_PLATE_KEY_BYTES} bytes are required (e.g. openssl rand -hex 32)`);
  }
  return key;
}

const isAsciiSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

function trimAsciiWhitespace(bytes: Buffer): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && isAsciiSpace(bytes[start])) start++;
  while (end > start && isAsciiSpace(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

// Contains '/' and lower case, so it can never be a normalised plate: no plate digest equals a key id.
const KEY_ID_LABEL = 'custody/plate-key-id/v1';

/**
 * Identifies a key without revealing it: `hmac-sha256:` plus the first 16 hex digits of
 * HMAC-SHA-256(key, "custody/plate-key-id/v1"). It is a keyed derivation, domain-separated from plate
 * digests, so it helps neither to recover the key nor to test plate guesses.
 */
export function plateKeyId(key: Buffer): string {
  return `hmac-sha256:${createHmac('sha256', key).update(KEY_ID_LABEL).digest('hex').slice(0, 16)}`;
}

/** HMAC-SHA-256 (lowercase hex) of a normalised plate under `key`. */
export function plateDigest(key: Buffer, normalised: string): string {
  if (!isNormalisedPlate(normalised)) throw new TypeError('plateDigest expects a normalised plate (v1)');
  return createHmac('sha256', key).update(normalised, 'ascii').digest('hex');
}

/**
 * The plate key a command uses: from a key file (relative to `cwd`, named in messages as given), else
 * CUSTODY_PLATE_KEY in `env`; never a command-line value (it would land in shell history and process
 * listings). A key that cannot be used is a UsageError (exit 2).
 */
export function plateKeyFor(cwd: string, env: PlateKeyOptions['env'], keyFile: string | undefined): Buffer | undefined {
  try {
    return loadPlateKey({ env, ...(keyFile ? { keyFile: path.resolve(cwd, keyFile), keyFileShownAs: keyFile } : {}) });
  } catch (error) {
    if (error instanceof PlateKeyError) throw new UsageError(error.message);
    throw error;
  }
}
