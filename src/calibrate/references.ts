import { createHash } from 'node:crypto';
import { perceptualHasher } from '../fingerprint/perceptual.js';
import type { Reference } from '../references/schema.js';
import { SNIFF_BYTES, sniff } from '../sources/sniff.js';

/** One reference image to fingerprint in memory (benchmarks and tests; the CLI reads fingerprint files). */
export interface ReferenceImage {
  id: string;
  class: string;
  bytes: Buffer;
}

/**
 * Builds Reference entries exactly as `custody fingerprint` does for an image (same decoder, same
 * `referenceHashes` variants via perceptualHasher), without a directory walk. Images that cannot be
 * decoded get no `pdq`, as in a fingerprint file. Sorted by id, as a fingerprint file is.
 */
export async function buildReferences(images: readonly ReferenceImage[]): Promise<Reference[]> {
  const hash = perceptualHasher();
  const out: Reference[] = [];
  for (const image of images) {
    const media = sniff(image.bytes.subarray(0, SNIFF_BYTES));
    const pdq = await hash(image.bytes, media);
    out.push({
      id: image.id,
      class: image.class,
      size: image.bytes.length,
      sha256: createHash('sha256').update(image.bytes).digest('hex'),
      md5: createHash('md5').update(image.bytes).digest('hex'),
      media,
      ...(pdq && pdq.length > 0 && { pdq }),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
