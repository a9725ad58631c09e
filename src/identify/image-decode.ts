import { type MediaType, sniff } from '../sources/sniff.js';
import { describeError } from '../util/errors.js';
import { lazy } from '../util/lazy.js';
import { BytePool } from './decode-budget.js';
import { decodeHeif, HeifDecodeError, type HeifPixels } from './heif-decode.js';
import { BYTES_PER_BLOCK, jpegLayout } from './jpeg-layout.js';

/**
 * The single image decoder used by both fingerprinting and auditing, so that EXIF orientation, ICC
 * handling and the resize policy are identical on both sides; a difference there would cost hash
 * bits on every comparison.
 *
 * Policy:
 * - **Formats**: sniffed from magic bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF); anything else is
 *   `unsupported` without touching the decoder (so SVG or PDF bytes are never rendered). HEIF/AVIF
 *   go to sharp's libvips first: its prebuilt binaries decode AVIF (AV1) but not HEIC (HEVC), which
 *   then goes to libheif in WebAssembly (heif-decode.ts).
 * - **Decompression bombs**: `limitInputPixels` makes libvips refuse an image whose header claims
 *   more pixels than `maxImagePixels` before any pixel buffer is allocated.
 * - **Bounded memory and time** ({@link DECODE_LIMITS}): before decoding, the memory the decoder will
 *   hold is estimated from the header (a progressive JPEG holds every DCT coefficient of the image;
 *   interlaced PNG, GIF, WebP and HEIF hold the whole frame; other formats stream rows); an image
 *   over the per-image budget, or a progressive JPEG whose scans would visit too many blocks, is
 *   `too-large` without being decoded. Concurrent decodes share one memory pool and the bytes of
 *   images read for decoding share another, so N files at once cost no more than the pools. A decode
 *   that still runs past `timeoutSeconds` is stopped (`timeout`; libvips checks between regions).
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

const MiB = 1024 * 1024;

/** The decoder's fixed limits (README "Limits"); a file over one is a coverage entry, never a hang. */
export const DECODE_LIMITS = {
  /**
   * Estimated decoder memory for one image, and for all decodes in flight together. 384 MiB admits
   * a 24-megapixel 4:4:4 progressive JPEG (144 MB of coefficients) or a 64-megapixel 4:2:0 one.
   */
  memoryBytes: 384 * MiB,
  /**
   * Bytes of image files held in memory for decoding at once (each file is read whole). A file
   * larger than this (up to DetectLimits.maxImageBytes) is read and decoded alone.
   */
  inputPoolBytes: 128 * MiB,
  /**
   * Coefficient blocks a progressive JPEG's scans may visit in all. Measured: a valid 2000 x 2000
   * file of 2,648 scans (166M visits) decoded in 2.9 s, ~17 ns a visit, so this is ~4.5 s. An
   * ordinary progressive JPEG visits each block about 10 times (a 100-megapixel one: 22M).
   */
  progressiveScanBlocks: 256_000_000,
  /** Wall time for one decode, a backstop past the estimates (libvips checks it between regions). */
  timeoutSeconds: 20,
} as const;

/** libvips' own working set for one pipeline (thread buffers, the shrunk output). */
const BASE_DECODE_BYTES = 8 * MiB;

const loadSharp = lazy(async () => {
  const sharp = (await import('sharp')).default;
  // The operation cache keeps recent inputs and results alive (up to 50 MB and 100 operations): it
  // only helps repeated operations on one image, which custody never does, and it is memory that
  // the decode pool cannot see.
  sharp.cache(false);
  return sharp;
});

const DECODABLE: ReadonlySet<MediaType> = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/avif', 'image/heif']);

/** Decoded, oriented and (maybe) downscaled 8-bit pixels, interleaved. */
export interface DecodedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  media: MediaType;
}

/**
 * Why an image could not be decoded: callers turn this into a CoverageEntry. `too-large` follows
 * from the bytes and the limits alone; `timeout` depends on the machine's load and is not.
 */
export type DecodeFailureReason = 'corrupt' | 'too-large' | 'timeout' | 'unsupported';

export type DecodeResult = { ok: true; image: DecodedImage } | { ok: false; reason: DecodeFailureReason; detail: string; media: MediaType };

export interface DecodeOptions {
  /** Largest decoded image in pixels (DetectLimits.maxImagePixels). */
  maxImagePixels: number;
  /** Long-side cap after decoding; `0` keeps full resolution (conformance tests only). */
  maxSide?: number;
}

/** Where an image's bytes come from when the caller has not read them yet (an Item's content). */
export interface ImageSource {
  size: number;
  readAll(): Promise<Buffer>;
}

const inputPool = new BytePool(DECODE_LIMITS.inputPoolBytes);
const memoryPool = new BytePool(DECODE_LIMITS.memoryBytes);

/**
 * Reads and decodes an image whose bytes are not in memory yet. The read waits for room in the
 * input pool, so many large files (a tree of 255 MiB sparse `.jpg` files) are never held at once.
 * Throws only what `readAll` throws (the caller reports the file unreadable).
 */
export async function decodeImageSource(source: ImageSource, options: DecodeOptions): Promise<DecodeResult> {
  return inputPool.use(source.size, async () => decodeImage(await source.readAll(), options));
}

/** Decodes image bytes according to the policy above. Never throws for bad content. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions): Promise<DecodeResult> {
  const media = sniff(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)));
  if (!DECODABLE.has(media)) return { ok: false, reason: 'unsupported', detail: `not a decodable image (${media})`, media };
  const cost = await decodeCost(bytes, media);
  if (typeof cost === 'string') return { ok: false, reason: 'too-large', detail: cost, media };
  return memoryPool.use(cost, async () => {
    const first = await gate.shared(() => attempt(bytes, options, media));
    if (first.ok || first.reason === 'timeout' || first.reason === 'too-large') return first;
    // libvips collects warnings and errors in one process-wide buffer, so a failure's text can carry
    // another image's complaint when decodes overlap (seen: the "extraneous bytes" count of a
    // different JPEG). The failure is decoded again alone, so its text is its own and the report is
    // the same from run to run. Failures are rare; the pause costs nothing measurable.
    return gate.exclusive(() => attempt(bytes, options, media));
  });
}

/**
 * The memory the decoder will hold for this image, estimated from its header, or why it must not
 * be decoded at all. A header libvips cannot read costs the base amount: the decode then fails fast.
 */
async function decodeCost(bytes: Uint8Array, media: MediaType): Promise<number | string> {
  let cost = BASE_DECODE_BYTES;
  if (media === 'image/jpeg') {
    const layout = jpegLayout(bytes);
    if (layout?.progressive) {
      const coefficients = layout.blocks.reduce((a, b) => a + b, 0) * BYTES_PER_BLOCK;
      if (coefficients > DECODE_LIMITS.memoryBytes) {
        return `image-limit: memory (progressive JPEG of ${layout.width}x${layout.height} needs ${mib(coefficients)} MiB of coefficients; limit ${mib(DECODE_LIMITS.memoryBytes)} MiB)`;
      }
      if (layout.scanBlocks > DECODE_LIMITS.progressiveScanBlocks) {
        return `image-limit: decode time (progressive JPEG with ${layout.scans} scans visiting ${layout.scanBlocks} blocks; limit ${DECODE_LIMITS.progressiveScanBlocks})`;
      }
      cost += coefficients;
    } else if (layout) {
      cost += layout.width * 3 * 64;
    }
    return cost;
  }
  const sharp = await loadSharp();
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return cost;
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const sample = (meta.channels ?? 4) * (meta.depth === 'ushort' ? 2 : meta.depth === 'float' || meta.depth === 'uint' ? 4 : 1);
  // Formats whose decoders produce the whole frame before libvips sees a row.
  const whole = media === 'image/gif' || media === 'image/webp' || media === 'image/heif' || media === 'image/avif' || meta.isProgressive === true;
  const frame = whole ? width * height * Math.max(sample, 4) : width * sample * 64;
  if (frame > DECODE_LIMITS.memoryBytes) {
    return `image-limit: memory (${media.slice(6)} of ${width}x${height} needs ${mib(frame)} MiB to decode; limit ${mib(DECODE_LIMITS.memoryBytes)} MiB)`;
  }
  return cost + frame;
}

const mib = (bytes: number): number => Math.ceil(bytes / MiB);

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
      // Rows in order, so formats that can stream (baseline JPEG, PNG, TIFF) never hold the frame.
      sequentialRead: true,
    });
    if (maxSide > 0) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
    pipeline = pipeline.timeout({ seconds: DECODE_LIMITS.timeoutSeconds });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { ok: true, image: { pixels: data, width: info.width, height: info.height, channels: info.channels, media } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = classify(message);
    // A HEIF libvips cannot read (HEVC, or a header it does not accept) gets libheif's own reading.
    if (reason === 'unsupported' && (media === 'image/heif' || /HEVC/.test(message))) return decodeWithLibheif(bytes, options, media);
    if (reason === 'timeout') return { ok: false, reason, detail: `image-limit: decode time (stopped after ${DECODE_LIMITS.timeoutSeconds} s)`, media };
    return { ok: false, reason, detail: describeError(error), media };
  }
}

/**
 * A HEIC (HEVC) image, which sharp's libvips cannot decode: libheif in WebAssembly gives the primary
 * image's RGBA pixels, transformations applied, and sharp resizes them exactly as it would have (the
 * fingerprint of a HEIC reference and of its copy go through this same path).
 */
async function decodeWithLibheif(bytes: Uint8Array, options: DecodeOptions, media: MediaType): Promise<DecodeResult> {
  let decoded: HeifPixels;
  try {
    decoded = await decodeHeif(bytes, options.maxImagePixels);
  } catch (error) {
    const tooLarge = error instanceof HeifDecodeError && error.tooLarge;
    return { ok: false, reason: tooLarge ? 'too-large' : 'corrupt', detail: `heic: ${describeError(error)}`, media };
  }
  const maxSide = options.maxSide ?? DEFAULT_MAX_SIDE;
  const sharp = await loadSharp();
  let pipeline = sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 4 } }).removeAlpha();
  if (maxSide > 0) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { ok: true, image: { pixels: data, width: info.width, height: info.height, channels: info.channels, media } };
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

/**
 * libvips reports failures only as text; these are its stable phrasings. The whole text is read:
 * its first line is often a consequence (HEIC's "bad seek") and the cause comes last.
 */
function classify(message: string): DecodeFailureReason {
  if (/^timeout: \d+% complete/m.test(message)) return 'timeout';
  if (/pixel limit/i.test(message)) return 'too-large';
  if (/unsupported image format|no decode delegate|compression format has not been built|not in a known format|unsupported|codec/i.test(message)) {
    return 'unsupported';
  }
  return 'corrupt';
}
