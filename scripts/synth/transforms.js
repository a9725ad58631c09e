// @ts-check
/**
 * The robustness classes of issue 3 §6 as image transforms: what a careless subcontractor's tools
 * do to a copy. Each is `(buffer, params) => Promise<Buffer>`; pixel transforms write the input's
 * own format (JPEG at quality 92, so the transform, not a second heavy re-encode, is what changes).
 */
import sharp from 'sharp';
import { strokeText } from './glyphs.js';
import { stripMetadataBytes } from './strip-metadata.js';
import { svgDoc } from './svg-util.js';

/** @typedef {(input: Buffer, params?: any) => Promise<Buffer>} Transform */

/**
 * Re-encodes a pipeline in the format of the original.
 * @param {import('sharp').Sharp} pipeline
 * @param {Buffer} input
 */
async function likeInput(pipeline, input) {
  const { format } = await sharp(input).metadata();
  if (format === 'png') return pipeline.png().toBuffer();
  if (format === 'webp') return pipeline.webp({ quality: 90 }).toBuffer();
  return pipeline.jpeg({ quality: 92 }).toBuffer();
}

/**
 * Per-side fractions from `{ percent }` (all sides) or `{ top, right, bottom, left }` (percent each).
 * @param {{ percent?: number, top?: number, right?: number, bottom?: number, left?: number }} params
 */
function sides(params) {
  const all = params.percent ?? 0;
  const pick = (/** @type {number | undefined} */ v) => {
    const value = v ?? all;
    if (!(value >= 0 && value < 50)) throw new RangeError(`side percent out of range: ${value}`);
    return value / 100;
  };
  return { top: pick(params.top), right: pick(params.right), bottom: pick(params.bottom), left: pick(params.left) };
}

/** @type {Transform} */
async function crop(input, params = { percent: 10 }) {
  const s = sides(params);
  const { width = 0, height = 0 } = await sharp(input).metadata();
  const left = Math.round(width * s.left);
  const top = Math.round(height * s.top);
  const region = { left, top, width: width - left - Math.round(width * s.right), height: height - top - Math.round(height * s.bottom) };
  return likeInput(sharp(input).extract(region), input);
}

/**
 * Adds bars; percentages are of the original side, so 10% top and bottom is a letterbox.
 * @type {Transform}
 */
async function border(input, params = { top: 10, bottom: 10 }) {
  const s = sides(params);
  const { width = 0, height = 0 } = await sharp(input).metadata();
  const extend = {
    top: Math.round(height * s.top),
    bottom: Math.round(height * s.bottom),
    left: Math.round(width * s.left),
    right: Math.round(width * s.right),
    background: params.color ?? '#000000',
  };
  return likeInput(sharp(input).extend(extend), input);
}

/** @type {Transform} */
async function watermark(input, params = {}) {
  const { text = 'CONFIDENTIAL COPY', opacity = 0.45, color = '#ffffff' } = params;
  const { width = 0, height = 0 } = await sharp(input).metadata();
  const size = Math.max(8, Math.round(height * 0.06));
  const mark = strokeText(text, { x: width / 2, y: height / 2 - size / 2, size, color, opacity, anchor: 'middle' });
  const corner = strokeText(text, { x: width - size, y: height - size * 2, size: size / 2, color, opacity, anchor: 'end' });
  return likeInput(sharp(input).composite([{ input: Buffer.from(svgDoc(width, height, mark + corner)) }]), input);
}

/** @type {Transform} */
async function resize(input, params = { scale: 0.5 }) {
  const { width = 0 } = await sharp(input).metadata();
  return likeInput(sharp(input).resize({ width: Math.max(1, Math.round(width * (params.scale ?? 0.5))) }), input);
}

/** @type {Transform} */
const reencode = async (input, params = {}) => sharp(input).jpeg({ quality: params.quality ?? 50 }).toBuffer();
/** @type {Transform} */
const thumbnail = async (input, params = {}) =>
  sharp(input).resize({ width: params.size ?? 180, height: params.size ?? 180, fit: 'inside' }).jpeg({ quality: 85 }).toBuffer();
/** @type {Transform} */
const webp = async (input, params = {}) => sharp(input).webp({ quality: params.quality ?? 80 }).toBuffer();
/** @type {Transform} */
const greyscale = async (input) => likeInput(sharp(input).greyscale(), input);
/** @type {Transform} */
const brightnessContrast = async (input, params = {}) => {
  const contrast = params.contrast ?? 1.2;
  return likeInput(sharp(input).modulate({ brightness: params.brightness ?? 1.15 }).linear(contrast, 128 * (1 - contrast)), input);
};
/** @type {Transform} */
const mirror = async (input) => likeInput(sharp(input).flop(), input);

/**
 * Named transforms, keyed by robustness class. Params are optional everywhere; defaults are the
 * class as issue 3 words it (e.g. crop 10% per side).
 */
export const transforms = {
  /** JPEG at quality 50 (params.quality to change). */
  'reencode-q50': reencode,
  /** Half size (params.scale). */
  'resize-50': resize,
  /** Longest side to params.size (default 180; the class is 160-200 px), as JPEG q85. */
  thumbnail,
  png: /** @type {Transform} */ (async (input) => sharp(input).png().toBuffer()),
  /** WebP at params.quality (default 80). */
  webp,
  greyscale,
  /** params.brightness (multiplier, default 1.15) and params.contrast (slope about mid-grey, default 1.2). */
  'brightness-contrast': brightnessContrast,
  /** Gaussian blur, params.sigma (default 2). */
  blur: /** @type {Transform} */ (async (input, params = {}) => likeInput(sharp(input).blur(params.sigma ?? 2), input)),
  /** Left-right mirror. */
  mirror,
  'rotate-90': /** @type {Transform} */ (async (input) => likeInput(sharp(input).rotate(90), input)),
  'rotate-180': /** @type {Transform} */ (async (input) => likeInput(sharp(input).rotate(180), input)),
  'rotate-270': /** @type {Transform} */ (async (input) => likeInput(sharp(input).rotate(270), input)),
  /** Text over the middle and a corner; params.text, params.opacity, params.color. */
  watermark,
  /** Metadata removed without touching pixels (JPEG/PNG); other formats are re-encoded by sharp, which drops it. */
  'strip-metadata': /** @type {Transform} */ (async (input) => stripMetadataBytes(input) ?? likeInput(sharp(input), input)),
  /** params.percent per side (default 10), or params.top/right/bottom/left. */
  crop,
  /** Bars: params.percent or per side (default 10% top and bottom), params.color. */
  border,
  /** Crop 5% per side, half size, JPEG q50: a typical "shared by chat" copy. */
  'crop-resize-reencode': /** @type {Transform} */ (async (input) => reencode(await resize(await crop(input, { percent: 5 }), { scale: 0.5 }))),
  /** Greyscale thumbnail, 200 px. */
  'thumbnail-greyscale': /** @type {Transform} */ (async (input) => thumbnail(await greyscale(input), { size: 200 })),
  /** Letterboxed 8%, watermarked and converted to WebP. */
  'border-watermark-webp': /** @type {Transform} */ (async (input) => webp(await watermark(await border(input, { top: 8, bottom: 8 })))),
  /** Quarter turn, then a lopsided trim (top 6, right 2, bottom 9, left 4 %). */
  'rotate-crop': /** @type {Transform} */ (async (input) => crop(await likeInput(sharp(input).rotate(90), input), { top: 6, right: 2, bottom: 9, left: 4 })),
  /** Mirrored, brightened and cropped 3% per side. */
  'mirror-brightness-crop': /** @type {Transform} */ (async (input) => crop(await brightnessContrast(await mirror(input)), { percent: 3 })),
};

/** @typedef {keyof typeof transforms} TransformName */

/**
 * One benchmark case: a class, the transform that produces it, and its parameters.
 * @typedef {object} RobustnessCase
 * @property {string} name unique, e.g. 'crop-10'
 * @property {string} class the robustness class of issue 3 §6
 * @property {TransformName} transform
 * @property {Record<string, unknown>} [params]
 */

/**
 * The benchmark's cases: every class once, and the parameterised classes (crop, border) across
 * their range, including lopsided crops, since crop damage grows with the largest side trimmed.
 * @type {readonly RobustnessCase[]}
 */
export const ROBUSTNESS_CASES = Object.freeze([
  { name: 'reencode-q50', class: 'reencode', transform: 'reencode-q50' },
  { name: 'resize-50', class: 'resize', transform: 'resize-50' },
  { name: 'thumbnail-160', class: 'thumbnail', transform: 'thumbnail', params: { size: 160 } },
  { name: 'thumbnail-200', class: 'thumbnail', transform: 'thumbnail', params: { size: 200 } },
  { name: 'png', class: 'format', transform: 'png' },
  { name: 'webp', class: 'format', transform: 'webp' },
  { name: 'greyscale', class: 'greyscale', transform: 'greyscale' },
  { name: 'brightness-contrast', class: 'brightness-contrast', transform: 'brightness-contrast' },
  { name: 'darker-flatter', class: 'brightness-contrast', transform: 'brightness-contrast', params: { brightness: 0.8, contrast: 0.8 } },
  { name: 'blur', class: 'blur', transform: 'blur' },
  { name: 'mirror', class: 'mirror', transform: 'mirror' },
  { name: 'rotate-90', class: 'rotate', transform: 'rotate-90' },
  { name: 'rotate-180', class: 'rotate', transform: 'rotate-180' },
  { name: 'rotate-270', class: 'rotate', transform: 'rotate-270' },
  { name: 'watermark', class: 'watermark', transform: 'watermark' },
  { name: 'strip-metadata', class: 'metadata-stripped', transform: 'strip-metadata' },
  { name: 'crop-2', class: 'crop', transform: 'crop', params: { percent: 2 } },
  { name: 'crop-5', class: 'crop', transform: 'crop', params: { percent: 5 } },
  { name: 'crop-10', class: 'crop', transform: 'crop', params: { percent: 10 } },
  { name: 'crop-10-left-top', class: 'crop', transform: 'crop', params: { left: 10, top: 10 } },
  { name: 'crop-10-right', class: 'crop', transform: 'crop', params: { right: 10 } },
  { name: 'crop-lopsided-a', class: 'crop', transform: 'crop', params: { top: 3, right: 7, bottom: 1, left: 9 } },
  { name: 'crop-lopsided-b', class: 'crop', transform: 'crop', params: { top: 8, right: 2, bottom: 6, left: 4 } },
  { name: 'border-5', class: 'border', transform: 'border', params: { percent: 5 } },
  { name: 'letterbox-10', class: 'border', transform: 'border', params: { top: 10, bottom: 10 } },
  { name: 'pillarbox-10-white', class: 'border', transform: 'border', params: { left: 10, right: 10, color: '#ffffff' } },
  { name: 'crop-resize-reencode', class: 'combination', transform: 'crop-resize-reencode' },
  { name: 'thumbnail-greyscale', class: 'combination', transform: 'thumbnail-greyscale' },
  { name: 'border-watermark-webp', class: 'combination', transform: 'border-watermark-webp' },
  { name: 'mirror-brightness-crop', class: 'combination', transform: 'mirror-brightness-crop' },
  { name: 'rotate-crop', class: 'combination', transform: 'rotate-crop' },
]);

/**
 * Applies a case.
 * @param {RobustnessCase} c
 * @param {Buffer} input
 */
export function applyCase(c, input) {
  return transforms[c.transform](input, c.params);
}
