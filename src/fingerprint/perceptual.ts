import { DEFAULT_DETECT_LIMITS } from '../identify/detector.js';
import { decodeImage } from '../identify/image-decode.js';
import { referenceHashes } from '../identify/pdq/views.js';
import type { PerceptualHasher } from './create.js';

/**
 * Perceptual hashes of a reference image, decoded exactly as an audit decodes (same orientation and
 * resize policy), so reference and copy hashes are comparable. Undecodable references get none.
 */
export function perceptualHasher(maxImagePixels = DEFAULT_DETECT_LIMITS.maxImagePixels): PerceptualHasher {
  return async (content) => {
    const decoded = await decodeImage(content, { maxImagePixels });
    if (!decoded.ok) return undefined;
    return referenceHashes(decoded.image);
  };
}
