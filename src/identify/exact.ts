import { createHash } from 'node:crypto';
import type { FingerprintIndex } from '../references/index-set.js';
import { chunksOf, type Item } from '../sources/item.js';
import { type Detector, type DetectorFactory, type DetectResult, NO_RESULT } from './detector.js';

/**
 * Exact copies: byte-identical to a reference, whatever their name or extension. On a filesystem a
 * file is only hashed when its size equals some reference's size, so most of a share is never read.
 * Manifest objects are matched by the content digests the manifest carries.
 */
export const exactDetector: DetectorFactory = {
  id: 'exact',
  create({ fingerprints }) {
    if (fingerprints.count === 0) return undefined;
    return new ExactDetector(fingerprints);
  },
};

class ExactDetector implements Detector {
  readonly id = 'exact';
  readonly needsMedia = false;
  readonly settings: Readonly<Record<string, unknown>>;

  constructor(private readonly fingerprints: FingerprintIndex) {
    this.settings = { fingerprints: fingerprints.digests };
  }

  applies(item: Item): boolean {
    return item.digests !== undefined || this.fingerprints.hasSize(item.size);
  }

  async detect(item: Item): Promise<DetectResult> {
    if (item.digests) return this.byManifestDigest(item);
    if (!item.content) return this.opaque(item);
    const sha256 = await sha256Of(item);
    const found = this.fingerprints.bySha(sha256);
    if (found < 0) return { identifications: [], facts: { sha256 } };
    const reference = this.fingerprints.label(found);
    return {
      identifications: [{ asset: reference.class, method: 'exact', reference: reference.id, evidence: { sha256, size: item.size } }],
      facts: { sha256 },
    };
  }

  private byManifestDigest(item: Item): DetectResult {
    const { sha256, md5 } = item.digests ?? {};
    const bySha = sha256 ? this.fingerprints.bySha(sha256) : -1;
    const found = bySha >= 0 ? bySha : md5 ? this.fingerprints.byMd5(md5) : -1;
    if (found >= 0) {
      const reference = this.fingerprints.label(found);
      const digest = bySha >= 0 ? { sha256 } : { md5 };
      return {
        identifications: [{ asset: reference.class, method: 'exact', reference: reference.id, evidence: { ...digest, size: item.size, from: 'manifest' } }],
      };
    }
    // A content hash that matches no reference proves the object is not a copy, whatever its size.
    if (sha256 || md5) return NO_RESULT;
    return this.opaque(item);
  }

  /**
   * An object whose hash cannot be compared (SSE-KMS, multipart ETag) but whose size equals a
   * reference's is a candidate: never claimed as a match, never silently dropped.
   */
  private opaque(item: Item): DetectResult {
    if (!this.fingerprints.hasSize(item.size)) return NO_RESULT;
    const { count, classes } = this.fingerprints.sameSize(item.size);
    return {
      identifications: [
        {
          asset: classes.length === 1 ? classes[0]! : 'unknown',
          method: 'unverifiable',
          evidence: {
            reason: item.opaqueDigest ?? 'the manifest carries no content hash',
            size: item.size,
            sameSizeReferences: count,
            candidateClasses: classes,
          },
        },
      ],
    };
  }
}

/** SHA-256 of an item's content, read in chunks (the hash copies what it needs of each). */
export async function sha256Of(item: Item): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunksOf(item.content!)) hash.update(chunk);
  return hash.digest('hex');
}
