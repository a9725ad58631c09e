import { lazy } from '../util/lazy.js';
import { sniff, type MediaType } from './sniff.js';

/**
 * The single image decoder used by both fingerprinting and auditing, so that EXIF orientation, ICC
 * handling and the resize policy are identical on both sides; a difference there would cost hash
 * bits on every comparison.
 *
 * Policy:
 * - **Formats**: sniffed from magic bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF); anything else is
 *   `unsupported` without touching the decoder (so SVG or PDF bytes are never rendered). HEIF/AVIF
 *   need the codec in sharp's libvips build; when missing, the failure is `unsupported`.
 * - **Decompression bombs**: `limitInputPixels` makes libvips refuse an image whose header claims
 *   more pixels than `maxImagePixels` before any pixel buffer is allocated.
 * - **Orientation**: applied (autoOrient), so a copy whose pixels were physically rotated by an
 *   editor and a copy that only carries an EXIF tag look the same.
 * - **ICC**: ignored, as the PDQ reference does; applying profiles changed hashes by 2-4 bits.
 * - **Resize**: the long side is shrunk to at most `maxSide` (default {@link DEFAULT_MAX_SIDE}),
 *   aspect kept, never enlarged. JPEG and WebP shrink on load, which is where most decode time goes;
 *   PDQ's own tent filter then works on a small plane. Measured on the ThreatExchange images, 512
 *   keeps hashes within a few bits of full resolution (see perceptual.ts for figures).
 * - **Frames**: the first frame of animated GIF/WebP.
 * - **Truncation**: a truncated file is `corrupt` rather than hashed with a grey tail.
 */
export const DEFAULT_MAX_SIDE = 512;

const loadSharp = lazy(async () => (await import('sharp')).default);

const DECODABLE: ReadonlySet<MediaType> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/tiff',
  'image/avif',
  'image/heif',
]);

/** Decoded, oriented and (maybe) downscaled 8-bit pixels, interleaved. */
export interface DecodedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  media: MediaType;
}

/** Why an image could not be decoded: callers turn this into a CoverageEntry. */
export type DecodeFailureReason = 'corrupt' | 'too-large' | 'unsupported';

export type DecodeResult =
  | { ok: true; image: DecodedImage }
  | { ok: false; reason: DecodeFailureReason; detail: string; media: MediaType };

export interface DecodeOptions {
  /** Largest decoded image in pixels (DetectLimits.maxImagePixels). */
  maxImagePixels: number;
  /** Long-side cap after decoding; `0` keeps full resolution (conformance tests only). */
  maxSide?: number;
}

/** Decodes image bytes according to the policy above. Never throws for bad content. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions): Promise<DecodeResult> {
  const media = sniff(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)));
  if (!DECODABLE.has(media)) return { ok: false, reason: 'unsupported', detail: `not a decodable image (${media})`, media };
  const first = await gate.shared(() => attempt(bytes, options, media));
  if (first.ok) return first;
  // libvips collects warnings and errors in one process-wide buffer, so a failure's text can carry
  // another image's complaint when decodes overlap (seen: the "extraneous bytes" count of a
  // different JPEG). The failure is decoded again alone, so its text is its own and the report is
  // the same from run to run. Failures are rare; the pause costs nothing measurable.
  return gate.exclusive(() => attempt(bytes, options, media));
}

async function attempt(bytes: Uint8Array, options: DecodeOptions, media: MediaType): Promise<DecodeResult> {
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const sharp = await loadSharp();
  try {
    let pipeline = sharp(bytes, {
      limitInputPixels: options.maxImagePixels,
      ignoreIcc: true,
      autoOrient: true,
      failOn: 'truncated',
      pages: 1,
    });
    if (maxSide > 0) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { ok: true, image: { pixels: data, width: info.width, height: info.height, channels: info.channels, media } };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error);
    return { ok: false, reason: classify(detail), detail, media };
  }
}

/**
 * A shared/exclusive gate over decodes: any number of shared holders at once, or one exclusive
 * holder alone (it waits for the shared ones in flight to finish, and new ones wait for it).
 */
class DecodeGate {
  private active = 0;
  private drained: (() => void) | undefined;
  private closed: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  async shared<T>(task: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.active++;
    try {
      return await task();
    } finally {
      if (--this.active === 0) this.drained?.();
    }
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      let open!: () => void;
      this.closed = new Promise<void>((resolve) => (open = resolve));
      try {
        if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
        this.drained = undefined;
        return await task();
      } finally {
        this.closed = undefined;
        open();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const gate = new DecodeGate();

/** libvips reports failures only as text; these are its stable phrasings. */
function classify(message: string): DecodeFailureReason {
  if (/pixel limit/i.test(message)) return 'too-large';
  if (/unsupported image format|no decode delegate|compression format has not been built|not in a known format|unsupported|codec/i.test(message)) {
    return 'unsupported';
  }
  return 'corrupt';
}
