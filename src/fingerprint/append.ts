import path from 'node:path';
import { PlateMatcher } from '../identify/plates/matcher.js';
import type { FingerprintFile, PlateSet, Reference } from '../references/schema.js';
import type { LoadedStore } from '../references/store-read.js';
import { hasDigest, storeIds } from '../references/store-rows.js';
import type { StoreMeta } from '../references/store-write.js';
import { compareStrings } from '../util/compare.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible as quote } from '../util/escape.js';
import { isInside } from '../util/paths.js';
import { rootPrefixes } from './create.js';
import { mergedPlateMeta } from './plate-merge.js';

/**
 * The id prefix of each directory appended to a store: a directory must lie inside one of the
 * store's roots (resolved against `cwd`), and its files are named as a run over those roots would
 * name them (`day-2/cam/x.jpg`), so an appended store compacts to the store of one whole run.
 */
export function appendPrefixes(dirs: readonly string[], roots: readonly string[], cwd: string): (string | undefined)[] {
  const prefixes = rootPrefixes(roots);
  return dirs.map((dir) => {
    const at = path.resolve(cwd, dir);
    const j = roots.findIndex((root) => isInside(at, path.resolve(cwd, root)));
    if (j < 0)
      throw new UsageError(
        `--append: ${quote(dir)} is not inside a root of the store (${roots.map((r) => JSON.stringify(quote(r))).join(', ')}); run from where the store was made, or merge a new store instead`,
      );
    const relative = path.relative(path.resolve(cwd, roots[j]!), at).split(path.sep).join('/');
    return [prefixes[j], relative].filter((part) => part).join('/') || undefined;
  });
}

/**
 * Whether a normalised plate is one the store already holds, for masking new ids: a store with
 * plates needs its own key for an append (a new file named after one of its plates is masked as a
 * whole run would mask it), and a key of another id is refused before anything is fingerprinted.
 */
export function knownPlates(store: LoadedStore, key: Buffer | undefined, keyId: string | undefined): ((plate: string) => boolean) | undefined {
  const plates = store.footer.plates;
  if (!plates) return undefined;
  if (!key) throw new UsageError(`--append: the store holds plate digests; give its plate key (CUSTODY_PLATE_KEY or --plate-key-file, key ${plates.keyId})`);
  if (keyId !== plates.keyId) throw new UsageError(`--append: the plate key given is ${keyId}, the store's is ${plates.keyId}; use the store's key`);
  const matcher = new PlateMatcher(key, [store.columns.plateDigests], plates.shapes);
  return (plate) => matcher.matchNormalised(plate) >= 0;
}

/**
 * What the new segment holds: the new references (an id the store already holds is refused: a
 * store holds each id once, and a silent second copy would make the audit's answer depend on which
 * one it found), plates with only the digests the store lacks, the plate set's description and the
 * store's roots for the whole store.
 */
export function appendedSegment(
  store: LoadedStore,
  file: FingerprintFile,
  shown: string,
): { references: Reference[]; plates: PlateSet | undefined; meta: StoreMeta } {
  const fresh = new Set(file.references.map((r) => r.id));
  for (const id of storeIds(store.columns))
    if (fresh.has(id))
      throw new UsageError(`--append: ${JSON.stringify(quote(id))} is already in ${quote(shown)} (a store holds each id once; fingerprint only new files)`);
  const old = store.footer.plates;
  const added = file.plates;
  if (old && added && old.keyId !== added.keyId)
    throw new UsageError(`--append: the new plates are keyed ${added.keyId}, the store's ${old.keyId}; use the store's plate key`);
  const plates = added
    ? {
        ...mergedPlateMeta([...(old ? [old] : []), added]),
        digests: added.digests.filter((digest) => !hasDigest(store.columns.plateDigests, digest)),
      }
    : old && { ...old, digests: [] };
  const references = [...file.references].sort((a, b) => compareStrings(a.id, b.id));
  return { references, plates, meta: { tool: file.tool, createdAt: file.createdAt, roots: store.footer.roots } };
}
