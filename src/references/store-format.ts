import { z } from 'zod';
import { PlateSetSchema } from './schema.js';

/**
 * The fingerprint store, format version 2 (`custody fingerprint --out agency.cfs`): the same facts
 * as the v1 JSON file, laid out for millions of references. Layout, all little-endian:
 *
 *   head magic (8 bytes) | section | pad | section | pad | ... | footer (JSON) | pad | trailer (56 bytes)
 *
 * Every section starts at a multiple of 8, so a reader wraps it as a typed array over the loaded
 * buffer (no object per reference). Sections are written one after another as they are produced;
 * only the footer, written last, says where they are (as zip and parquet do), and the fixed trailer
 * says where the footer is. A store may hold several segments (`custody fingerprint --append`): each
 * later segment is new sections, a footer whose `previous` names the footer it extends, and a
 * trailer, written after the earlier segments' bytes, which are never rewritten. The README
 * documents every field.
 */

/** First and last 8 bytes of a store: how a loader tells it from v1 JSON (which starts with `{`). */
export const STORE_MAGIC = Buffer.from('CUSTFPS\0', 'latin1');
export const STORE_FORMAT = 'custody-fingerprint-store';
export const STORE_VERSION = 2;
/** footerOffset u64, footerLength u32, version u32, SHA-256 of footer and its padding (32), magic (8). */
export const TRAILER_BYTES = 56;
export const ALIGN = 8;

/** Bytes per element of each section, and what it holds one element per (its length follows from the footer's counts). */
export const SECTIONS = {
  /** u32 x (references + 1): byte offsets of each id in `idBytes`. */
  idOffsets: { bytes: 4, per: 'reference+1' },
  /** UTF-8 of every id, back to back. */
  idBytes: { bytes: 1, per: 'idByte' },
  /** u16: index into the footer's `classes`. */
  classes: { bytes: 2, per: 'reference' },
  /** f64: size in bytes. */
  sizes: { bytes: 8, per: 'reference' },
  sha256: { bytes: 32, per: 'reference' },
  md5: { bytes: 16, per: 'reference' },
  /** u16: index into the footer's `media`. */
  media: { bytes: 2, per: 'reference' },
  /** f64: capture time, ms since the epoch (UTC); NaN when the reference has none. */
  capturedAt: { bytes: 8, per: 'reference' },
  /** u32 x (references + 1): the reference's PDQ views are `viewStart[i] .. viewStart[i+1]`. */
  viewStart: { bytes: 4, per: 'reference+1' },
  /** 32 bytes per view: the PDQ hash, bytes as its 64 hex digits spell them. */
  viewHash: { bytes: 32, per: 'view' },
  /** u32: the reference a view belongs to (non-decreasing), for scans over all views. */
  viewReference: { bytes: 4, per: 'view' },
  /** u8: PDQ quality 0-100. */
  viewQuality: { bytes: 1, per: 'view' },
  /** u16: index into the footer's `variants`. */
  viewVariant: { bytes: 2, per: 'view' },
  /** 32 bytes per plate: the keyed digests, sorted. */
  plateDigests: { bytes: 32, per: 'plate' },
} as const;
export type SectionName = keyof typeof SECTIONS;
/** The order sections are written in. */
export const SECTION_ORDER = Object.keys(SECTIONS) as SectionName[];

const Span = z.strictObject({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
const count = z.number().int().nonnegative();

/** The footer: a JSON object with keys in canonical (sorted) order. */
export const StoreFooterSchema = z.strictObject({
  format: z.literal(STORE_FORMAT),
  version: z.literal(STORE_VERSION),
  tool: z.strictObject({ name: z.literal('custody'), version: z.string() }),
  /** Not part of the digest: two writes of the same content agree. */
  createdAt: z.string().datetime({ offset: true }),
  roots: z.array(z.string()),
  /**
   * The counts of this footer's own segment (its sections' lengths follow from them); a loaded
   * store's footer carries the whole store's.
   */
  counts: z.strictObject({ references: count, views: count, idBytes: count, plates: count }),
  /**
   * Tables the u16 indexes point into, in order of first appearance. An appended segment's tables
   * extend the previous footer's (the earlier names first, unchanged), so the u16 indexes of every
   * segment point into the last footer's tables.
   */
  classes: z.array(z.string().min(1)).max(65_536),
  media: z.array(z.string().min(1)).max(65_536),
  variants: z.array(z.string().min(1).max(64)).max(65_536),
  /** The v1 plate set without its digests (they are the `plateDigests` section). */
  plates: PlateSetSchema.omit({ digests: true }).optional(),
  sections: z.strictObject(Object.fromEntries(SECTION_ORDER.map((name) => [name, Span])) as Record<SectionName, typeof Span>),
  /**
   * Offset and length (without padding) of the footer this one extends, for an appended segment;
   * null in the first segment. The previous trailer ends where this segment starts.
   */
  previous: Span.nullable(),
  /**
   * `sha256:<hex>` over every byte of this segment before its footer, then the footer's canonical
   * JSON without `createdAt` and `digest`; an appended segment's hash starts with the 32 bytes of
   * the previous footer's digest, so the last digest names the whole store and an append hashes only
   * what it adds.
   */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});
export type StoreFooter = z.infer<typeof StoreFooterSchema>;

/**
 * The raw columns of a loaded store: typed arrays over shared memory (SharedArrayBuffer, one or
 * several: a consumer reads each column's own `.buffer`), so they can be handed to worker threads
 * without a copy. Index i of every per-reference column is reference i.
 */
export interface StoreColumns {
  readonly idOffsets: Uint32Array;
  readonly idBytes: Uint8Array;
  readonly classes: Uint16Array;
  readonly sizes: Float64Array;
  /** 32 bytes per reference. */
  readonly sha256: Uint8Array;
  /** 16 bytes per reference. */
  readonly md5: Uint8Array;
  readonly media: Uint16Array;
  readonly capturedAt: Float64Array;
  readonly viewStart: Uint32Array;
  /** 32 bytes per view. */
  readonly viewHash: Uint8Array;
  readonly viewReference: Uint32Array;
  readonly viewQuality: Uint8Array;
  readonly viewVariant: Uint16Array;
  /** 32 bytes per plate digest, sorted. */
  readonly plateDigests: Uint8Array;
}

/** Bytes of padding after `length` bytes to reach the next multiple of 8. */
export function padding(length: number): number {
  return (ALIGN - (length % ALIGN)) % ALIGN;
}

/** The number of elements a section holds, from the footer's counts. */
export function elementsOf(name: SectionName, counts: StoreFooter['counts']): number {
  const per = SECTIONS[name].per;
  if (per === 'reference') return counts.references;
  if (per === 'reference+1') return counts.references + 1;
  if (per === 'view') return counts.views;
  if (per === 'plate') return counts.plates;
  return counts.idBytes;
}
