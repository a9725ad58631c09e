import { z } from 'zod';

/**
 * The fingerprint file (`custody fingerprint --out agency.fp.json`), format version 1.
 * It describes the agency's reference data without containing any of it: digests, perceptual hashes
 * and keyed plate digests only. Never image bytes, never a plate in clear.
 */

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `expected ${length} lowercase hex digits`);

/** One perceptual hash of a reference (PDQ, 256 bits as 64 hex digits). */
export const PdqEntrySchema = z.strictObject({
  /** 64 hex digits, PDQ's reference bit order. */
  hash: hex(64),
  /** PDQ quality 0-100; hashes below the matcher's quality gate are never used to claim a match. */
  quality: z.number().int().min(0).max(100),
  /** Which view of the reference this hashes: `full`, or a crop such as `crop:8,8,8,8` (percent per side). */
  variant: z.string().min(1).max(64),
});
export type PdqEntry = z.infer<typeof PdqEntrySchema>;

/** One agency reference item. */
export const ReferenceSchema = z.strictObject({
  /** Path relative to the fingerprinted root, '/'-separated. Unique within the file. */
  id: z.string().min(1),
  /** Asset class id (e.g. traveler-image, vehicle-image, plate-record). */
  class: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: hex(64),
  /** MD5 is kept because cloud inventories (S3 ETags, Azure Content-MD5, GCS md5Hash) carry only MD5. */
  md5: hex(32),
  /** Media type sniffed from magic bytes. */
  media: z.string().min(1),
  /** Perceptual hashes (images only). */
  pdq: z.array(PdqEntrySchema).optional(),
  /** Capture time from the reference's own metadata, ISO 8601. */
  capturedAt: z.string().datetime({ offset: true }).optional(),
});
export type Reference = z.infer<typeof ReferenceSchema>;

/** Keyed plate digests: HMAC-SHA-256 over normalised plates; the key never appears here. */
export const PlateSetSchema = z.strictObject({
  algorithm: z.literal('hmac-sha256'),
  /** Normalisation scheme version (see src/identify/plates/normalise.ts). */
  normalisation: z.literal('v1'),
  /** Identifies the key (a digest of it), so an audit with the wrong key can say so. */
  keyId: z.string().min(1),
  /** Sorted, distinct, hex digests. */
  digests: z.array(hex(64)),
  /**
   * Letter/digit patterns of the agency's plates (`ABC1234` -> `LLLDDDD`), sorted and distinct. A
   * pattern reveals a plate format, never a plate; scanners use it to skip tokens of other shapes
   * before computing an HMAC.
   */
  shapes: z.array(z.string().regex(/^[LD]{2,10}$/)).optional(),
  /** Which reference files the plates came from, and which column. */
  sources: z.array(z.strictObject({ id: z.string(), column: z.string(), rows: z.number().int().nonnegative() })),
});
export type PlateSet = z.infer<typeof PlateSetSchema>;

export const FINGERPRINT_FORMAT = 'custody-fingerprints';
export const FINGERPRINT_VERSION = 1;

export const FingerprintFileSchema = z.strictObject({
  format: z.literal(FINGERPRINT_FORMAT),
  version: z.literal(FINGERPRINT_VERSION),
  /** custody version that wrote the file. */
  tool: z.strictObject({ name: z.literal('custody'), version: z.string() }),
  createdAt: z.string().datetime({ offset: true }),
  /** The root directories as given, for the record. */
  roots: z.array(z.string()),
  /** Sorted by id. */
  references: z.array(ReferenceSchema),
  plates: PlateSetSchema.optional(),
  /**
   * `sha256:<hex>` over the canonical JSON of this object without `digest` and `createdAt`, so two
   * runs over the same data agree and a report can name exactly which set it used.
   */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});
export type FingerprintFile = z.infer<typeof FingerprintFileSchema>;

/**
 * A loaded fingerprint set, whichever format it was read from: a v1 JSON file as it is, or a v2
 * store (`format: custody-fingerprint-store`, `version: 2`) with its references materialised. The
 * digest is the one its file records; the two formats digest different bytes, so the same content
 * has one digest as v1 JSON and another as a store.
 */
export type FingerprintSet = Omit<FingerprintFile, 'format' | 'version'> & {
  format: typeof FINGERPRINT_FORMAT | 'custody-fingerprint-store';
  version: 1 | 2;
};
