import type { FingerprintIndex } from '../../references/index-set.js';
import { plateKeyId } from './key.js';
import { PlateMatcher } from './matcher.js';

const built = new WeakMap<FingerprintIndex, Map<string, PlateMatcher | undefined>>();

/**
 * The matcher over an index's plate digests made under `key` (their shapes gate it when every such
 * set records them), or undefined when those sets hold none. Built once per index and key: the
 * record detector and the report's plate redaction share it (at ten million digests its bucket
 * table, and the merge of several sets' tables, are not made twice).
 */
export function agencyPlateMatcher(fingerprints: FingerprintIndex, key: Buffer): PlateMatcher | undefined {
  const keyId = plateKeyId(key);
  let byKey = built.get(fingerprints);
  if (!byKey) built.set(fingerprints, (byKey = new Map()));
  if (byKey.has(keyId)) return byKey.get(keyId);
  const sets = fingerprints.plateSets.filter((s) => s.keyId === keyId && s.count > 0);
  const shapes = sets.every((s) => s.shapes !== undefined) ? sets.flatMap((s) => s.shapes ?? []) : undefined;
  const file = sets.length === 1 ? sets[0]!.file : undefined;
  const matcher =
    sets.length === 0
      ? undefined
      : file
        ? PlateMatcher.fromFile(key, file, shapes)
        : new PlateMatcher(
            key,
            sets.map((s) => s.digests),
            shapes,
          );
  byKey.set(keyId, matcher);
  return matcher;
}
