import type { ReferenceTables } from './columns.js';
import type { FingerprintSet, PdqEntry, Reference } from './schema.js';
import type { StoreColumns, StoreFooter } from './store-format.js';
import type { LoadedStore } from './store-read.js';

/**
 * The store's references as v1 `Reference` objects, for consumers that take them today (detectors
 * and commands). A reference has `pdq` only when it has views and `capturedAt` as UTC ISO 8601 with
 * milliseconds, as `custody fingerprint` writes them.
 */
export function storeReferences(c: StoreColumns, tables: ReferenceTables): Reference[] {
  const text = (view: Uint8Array, start: number, end: number, encoding: BufferEncoding) =>
    Buffer.from(view.buffer, view.byteOffset + start, end - start).toString(encoding);
  const references: Reference[] = new Array(c.sizes.length);
  for (let i = 0; i < references.length; i++) {
    const reference: Reference = {
      id: text(c.idBytes, c.idOffsets[i]!, c.idOffsets[i + 1]!, 'utf8'),
      class: tables.classes[c.classes[i]!]!,
      size: c.sizes[i]!,
      sha256: text(c.sha256, i * 32, i * 32 + 32, 'hex'),
      md5: text(c.md5, i * 16, i * 16 + 16, 'hex'),
      media: tables.media[c.media[i]!]!,
    };
    const start = c.viewStart[i]!;
    const end = c.viewStart[i + 1]!;
    if (end > start) {
      const pdq: PdqEntry[] = [];
      for (let v = start; v < end; v++) {
        pdq.push({ hash: text(c.viewHash, v * 32, v * 32 + 32, 'hex'), quality: c.viewQuality[v]!, variant: tables.variants[c.viewVariant[v]!]! });
      }
      reference.pdq = pdq;
    }
    const time = c.capturedAt[i]!;
    if (!Number.isNaN(time)) reference.capturedAt = new Date(time).toISOString();
    references[i] = reference;
  }
  return references;
}

/** The whole store as a fingerprint set (what FingerprintIndex and the commands take). */
export function storeSet(store: LoadedStore): FingerprintSet {
  const { footer, columns } = store;
  const plates = Buffer.from(columns.plateDigests.buffer, columns.plateDigests.byteOffset, columns.plateDigests.length);
  const digests: string[] = [];
  for (let at = 0; at < plates.length; at += 32) digests.push(plates.toString('hex', at, at + 32));
  const { algorithm, normalisation, keyId, shapes, sources } = footer.plates ?? ({} as NonNullable<StoreFooter['plates']>);
  return {
    format: footer.format,
    version: footer.version,
    tool: footer.tool,
    createdAt: footer.createdAt,
    roots: footer.roots,
    references: storeReferences(columns, footer),
    // In v1's key order, so a store converted back to JSON is the v1 file it came from, byte for byte.
    ...(footer.plates ? { plates: { algorithm, normalisation, keyId, digests, ...(shapes ? { shapes } : {}), sources } } : {}),
    digest: footer.digest,
  };
}
