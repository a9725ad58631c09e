import { fingerprintDigest } from '../references/load.js';
import { FINGERPRINT_FORMAT, FINGERPRINT_VERSION, type FingerprintFile, type FingerprintSet } from '../references/schema.js';
import { writeStore } from '../references/store-write.js';
import { UsageError } from '../util/errors.js';
import { type WriteGuard, writeOutside } from '../util/safe-write.js';

/** The two fingerprint file formats: v1 JSON (`.fp.json`) and the v2 store (`.cfs`). */
export type FingerprintFormat = 'v1' | 'v2';

/** Where a fingerprint set is written: through the write guard, as `path` relative to `cwd`. */
export interface FingerprintDestination {
  guard: WriteGuard;
  cwd: string;
  path: string;
}

/**
 * The format a destination gets: the one asked for, else `.cfs` means a store and `.json` a v1 file,
 * else `otherwise`.
 */
export function formatFor(out: string, asked: string | undefined, otherwise: FingerprintFormat): FingerprintFormat {
  if (asked === 'v1' || asked === 'v2') return asked;
  if (asked !== undefined) throw new UsageError(`--store-format takes v1 (JSON) or v2 (store), not ${JSON.stringify(asked)}`);
  if (out.endsWith('.cfs')) return 'v2';
  return out.endsWith('.json') ? 'v1' : otherwise;
}

/**
 * Writes a fingerprint set in either format and returns the digest the written file records. The
 * content (tool, roots, references, plates, createdAt) is kept as it is, so converting a set gives the
 * file `custody fingerprint` would have written in that format: the same digest.
 */
export async function writeFingerprintSet(set: FingerprintSet, format: FingerprintFormat, out: FingerprintDestination): Promise<string> {
  const meta = { tool: set.tool, createdAt: set.createdAt, roots: set.roots };
  if (format === 'v2') return (await writeStore(() => set.references, set.plates, meta, out)).digest;
  const body: Omit<FingerprintFile, 'digest'> = {
    format: FINGERPRINT_FORMAT,
    version: FINGERPRINT_VERSION,
    ...meta,
    references: set.references,
    ...(set.plates ? { plates: set.plates } : {}),
  };
  let text: string;
  // A v1 set (made by createFingerprints, or a verified v1 file) already records this digest: the
  // content is the same, so only a set read from a store is digested again.
  const digest = set.version === FINGERPRINT_VERSION && set.format === FINGERPRINT_FORMAT ? set.digest : fingerprintDigest(body);
  try {
    const file: FingerprintFile = { ...body, digest };
    text = `${JSON.stringify(file, null, 2)}\n`;
  } catch (error) {
    // V8's longest string: past a few hundred thousand references only the store can hold the set.
    if (error instanceof RangeError) throw new UsageError(`${set.references.length} references are too many for a v1 JSON file; keep the v2 store`);
    throw error;
  }
  await writeOutside(out.guard, out.cwd, out.path, text);
  return digest;
}
