import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalJson } from '../util/canonical-json.js';
import { InputError } from '../util/errors.js';
import { FingerprintIndex, type LoadedFingerprints } from './index-set.js';
import { FingerprintFileSchema, type FingerprintFile } from './schema.js';

/** Largest fingerprint file custody parses (a million references is ~300 MB of JSON). */
const MAX_FINGERPRINT_BYTES = 1024 * 1024 * 1024;

/** The digest a fingerprint file records: over its canonical JSON without `digest` and `createdAt`. */
export function fingerprintDigest(file: Omit<FingerprintFile, 'digest'> & { digest?: string }): string {
  const { digest: _digest, createdAt: _createdAt, ...content } = file;
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

/** Reads, validates and digest-checks one fingerprint file; throws InputError with a one-line reason. */
export async function loadFingerprintFile(file: string): Promise<LoadedFingerprints> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_FINGERPRINT_BYTES) throw new InputError(file, 'fingerprint file is too large');
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot read fingerprint file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = FingerprintFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new InputError(file, `not a custody fingerprint file: ${where}${issue.message}${more}`);
  }
  if (fingerprintDigest(parsed.data) !== parsed.data.digest) {
    throw new InputError(file, 'fingerprint file digest does not match its content (edited or corrupted)');
  }
  return { path: file, file: parsed.data };
}

/** Loads several fingerprint files into one index. */
export async function loadFingerprints(files: readonly string[]): Promise<FingerprintIndex> {
  const sets: LoadedFingerprints[] = [];
  for (const file of files) sets.push(await loadFingerprintFile(file));
  return new FingerprintIndex(sets);
}
