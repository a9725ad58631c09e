// @ts-check
/**
 * Pixel plumbing shared by the scenes: SVG to raw RGB, seeded texture and sensor grain, encoding
 * with optional EXIF. Noise is added in JS on raw pixels (not with an SVG filter) so it is seeded,
 * cheap, and identical wherever the same sharp version runs.
 */
import sharp from 'sharp';

/**
 * @typedef {object} RawImage
 * @property {Buffer} data interleaved RGB, 8 bits per channel
 * @property {number} width
 * @property {number} height
 */

/**
 * @typedef {object} ExifFields Provenance fields a camera or the agency writes into its images.
 * @property {string} [Make]
 * @property {string} [Model]
 * @property {string} [BodySerialNumber]
 * @property {string} [Artist]
 * @property {string} [Copyright]
 * @property {string} [ImageDescription]
 * @property {string | Date} [DateTimeOriginal] a Date, an ISO string, or EXIF's 'YYYY:MM:DD HH:MM:SS'
 */

/**
 * @typedef {object} EncodeOptions
 * @property {'jpeg' | 'png'} [format] default 'jpeg'
 * @property {number} [quality] JPEG quality, default 80
 * @property {ExifFields} [exif] EXIF to embed (none by default)
 */

/**
 * Renders an SVG document to raw RGB (no alpha).
 * @param {string} svg
 * @returns {Promise<RawImage>}
 */
export async function renderSvg(svg) {
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Draws an SVG (same size, transparent where empty) over a copy of a raw image. The blend is done
 * here rather than with sharp's composite, which costs three times the SVG render at this size.
 * @param {RawImage} base
 * @param {string} svg
 * @returns {Promise<RawImage>}
 */
export async function overlaySvg(base, svg) {
  const { data: top, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== base.width || info.height !== base.height) throw new RangeError('overlay size differs from base');
  const out = Buffer.from(base.data);
  for (let p = 0, q = 0; p < out.length; p += 3, q += 4) {
    const alpha = /** @type {number} */ (top[q + 3]);
    if (alpha === 0) continue;
    const keep = 255 - alpha;
    out[p] = (/** @type {number} */ (top[q]) * alpha + /** @type {number} */ (out[p]) * keep + 127) / 255;
    out[p + 1] = (/** @type {number} */ (top[q + 1]) * alpha + /** @type {number} */ (out[p + 1]) * keep + 127) / 255;
    out[p + 2] = (/** @type {number} */ (top[q + 2]) * alpha + /** @type {number} */ (out[p + 2]) * keep + 127) / 255;
  }
  return { data: out, width: base.width, height: base.height };
}

/**
 * @typedef {object} NoiseOptions amplitudes in 8-bit levels
 * @property {number} [texture] smooth value-noise blotches: the grime and tarmac of a scene
 * @property {number} [cell] blotch size in pixels
 * @property {number} [grain] per-pixel sensor grain
 * @property {{ angle: number, from: number, to: number }} [light] a gain ramp across the frame
 *   (direction in radians, gains at either end): the sun or a studio lamp
 */

/**
 * Adds seeded texture, grain and light in place, luminance only (as real grime and light are).
 * One pass in plain JS with the PRNG inlined: this loop runs over every pixel of every fixture.
 * @param {RawImage} image
 * @param {number} seed
 * @param {NoiseOptions} options
 * @returns {RawImage} the same image
 */
export function addNoise(image, seed, { texture = 0, cell = 24, grain = 0, light }) {
  const { data, width, height } = image;
  let state = seed >>> 0;
  const next32 = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = (next32() / 4294967296 - 0.5) * 2 * texture;
  // Value noise is separable: blend two grid rows once per image row, then along x per pixel.
  const x0s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    x0s[x] = Math.floor(x / cell);
    fxs[x] = smooth(x / cell - Math.floor(x / cell));
  }
  const blended = new Float32Array(gw);
  const cos = light ? Math.cos(light.angle) : 0;
  const sin = light ? Math.sin(light.angle) : 0;
  const span = Math.abs(cos) * width + Math.abs(sin) * height || 1;
  const origin = Math.min(0, cos * width) + Math.min(0, sin * height);
  const from = light ? light.from : 1;
  const slope = light ? (light.to - light.from) / span : 0;
  // Sum of four bytes of one 32-bit draw: near-Gaussian grain (variance 4 * 5461) for one PRNG step.
  const grainScale = grain / Math.sqrt(4 * 5461.25);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y / cell);
    const fy = smooth(y / cell - y0);
    for (let g = 0; g < gw; g++) {
      const a = /** @type {number} */ (grid[y0 * gw + g]);
      blended[g] = a + (/** @type {number} */ (grid[(y0 + 1) * gw + g]) - a) * fy;
    }
    const rowGain = from + slope * (sin * y - origin);
    const xGain = slope * cos;
    for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
      const g = /** @type {number} */ (x0s[x]);
      const a = /** @type {number} */ (blended[g]);
      let noise = a + (/** @type {number} */ (blended[g + 1]) - a) * /** @type {number} */ (fxs[x]);
      if (grain > 0) {
        const v = next32();
        noise += ((v & 255) + ((v >>> 8) & 255) + ((v >>> 16) & 255) + (v >>> 24) - 510) * grainScale;
      }
      const gain = rowGain + xGain * x;
      // Explicit clamping: measured faster than storing through a Uint8ClampedArray view.
      for (let c = p; c < p + 3; c++) {
        const v = /** @type {number} */ (data[c]) * gain + noise + 0.5;
        // biome-ignore lint/complexity/useMathMinMax: the explicit clamp was measured faster here
        data[c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return image;
}

/**
 * Encodes a raw image.
 * @param {RawImage} image
 * @param {EncodeOptions} [options]
 * @returns {Promise<Buffer>}
 */
export async function encode(image, options = {}) {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (options.exif) pipeline = pipeline.withExif(toSharpExif(options.exif));
  pipeline =
    options.format === 'png'
      ? pipeline.png({ compressionLevel: 9 })
      : pipeline.jpeg({ quality: options.quality ?? 80, mozjpeg: false, chromaSubsampling: '4:2:0' });
  return pipeline.toBuffer();
}

/**
 * Maps flat provenance fields to sharp's IFD layout: IFD0 holds the camera and rights fields,
 * IFD2 (the Exif sub-IFD) the serial number and capture date.
 * @param {ExifFields} fields
 * @returns {import('sharp').Exif}
 */
export function toSharpExif(fields) {
  /** @type {Record<string, string>} */
  const ifd0 = {};
  /** @type {Record<string, string>} */
  const ifd2 = {};
  for (const key of /** @type {const} */ (['Make', 'Model', 'Artist', 'Copyright', 'ImageDescription'])) {
    const value = fields[key];
    if (value !== undefined) ifd0[key] = value;
  }
  if (fields.BodySerialNumber !== undefined) ifd2.BodySerialNumber = fields.BodySerialNumber;
  if (fields.DateTimeOriginal !== undefined) ifd2.DateTimeOriginal = exifDate(fields.DateTimeOriginal);
  return { IFD0: ifd0, IFD2: ifd2 };
}

/**
 * EXIF's 'YYYY:MM:DD HH:MM:SS' (UTC, as EXIF has no zone) from a Date or ISO string.
 * @param {string | Date} value
 */
export function exifDate(value) {
  if (typeof value === 'string' && /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/.test(value)) return value;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
}

/** @param {number} t */
const smooth = (t) => t * t * (3 - 2 * t);

