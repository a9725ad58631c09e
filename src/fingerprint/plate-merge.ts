import type { PlateSet } from '../references/schema.js';
import { compareStrings } from '../util/compare.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible as quote } from '../util/escape.js';

/** A plate set without its digests: what a store's footer records of it. */
export type PlateMeta = Omit<PlateSet, 'digests'>;

/**
 * The description of the union of plate sets (a merge, or a store and its appended plates): one key
 * (two key ids are refused: digests under two keys match nothing in common), shapes and sources the
 * sorted union. The shape gate is all or nothing, so shapes are kept only when every set has them.
 * The result does not depend on the order of `sets`.
 */
export function mergedPlateMeta(sets: readonly PlateMeta[]): PlateMeta {
  const first = sets[0];
  if (!first) throw new Error('mergedPlateMeta needs at least one plate set');
  const other = sets.find((set) => set.keyId !== first.keyId);
  if (other) throw new UsageError(`plate digests made under two plate keys (${first.keyId}, ${other.keyId}) cannot be merged; fingerprint again with one key`);
  const sources = new Map<string, PlateSet['sources'][number]>();
  for (const source of sets.flatMap((set) => set.sources)) {
    const key = JSON.stringify([source.id, source.column]);
    const seen = sources.get(key);
    if (seen && seen.rows !== source.rows)
      throw new UsageError(
        `plate source ${JSON.stringify(quote(source.id))} is recorded with ${seen.rows} and ${source.rows} rows; its two versions cannot be merged`,
      );
    sources.set(key, source);
  }
  const shapes = sets.every((set) => set.shapes) ? [...new Set(sets.flatMap((set) => set.shapes ?? []))].sort(compareStrings) : undefined;
  return {
    algorithm: first.algorithm,
    normalisation: first.normalisation,
    keyId: first.keyId,
    ...(shapes ? { shapes } : {}),
    sources: [...sources.values()].sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.column, b.column)),
  };
}
