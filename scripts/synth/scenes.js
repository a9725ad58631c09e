// @ts-check
/**
 * Synthetic agency imagery for fixtures and benchmarks: lane-camera vehicle captures, plate crops
 * and traveler portraits. Everything is drawn from a seed (no downloads, no real people or plates),
 * and the same seed gives the same bytes on the same sharp version.
 */

import { CAPTURE_HEIGHT, CAPTURE_WIDTH, overlaySvg as cameraOverlaySvg, captureLight, laneSceneSvg, vehicleSvg } from './lane-art.js';
import { PLATE_TEMPLATE, plateSvg } from './plate-art.js';
import { PORTRAIT_HEIGHT, PORTRAIT_WIDTH, portraitSvg } from './portrait-art.js';
import { rng, subSeed } from './prng.js';
import { addNoise, encode, overlaySvg, renderSvg } from './raster.js';
import { hsl, n, svgDoc } from './svg-util.js';

export { CAPTURE_HEIGHT, CAPTURE_WIDTH, PLATE_TEMPLATE, PORTRAIT_HEIGHT, PORTRAIT_WIDTH };
export const PLATE_CROP_WIDTH = 400;
export const PLATE_CROP_HEIGHT = 120;

/** @typedef {import('./raster.js').EncodeOptions} EncodeOptions */
/** @typedef {import('./raster.js').ExifFields} ExifFields */
/** @typedef {import('./raster.js').RawImage} RawImage */

/** @type {Map<string, Promise<RawImage>>} */
const backgrounds = new Map();

/**
 * The textured static scene of one camera, rendered once per process: every capture of a camera
 * starts from the very same pixels, as with a fixed real camera.
 * @param {string} cameraId
 * @returns {Promise<RawImage>}
 */
function backgroundRaw(cameraId) {
  let cached = backgrounds.get(cameraId);
  if (!cached) {
    const seed = subSeed(0, `camera:${cameraId}`);
    cached = renderSvg(svgDoc(CAPTURE_WIDTH, CAPTURE_HEIGHT, laneSceneSvg(seed, cameraId))).then((raw) =>
      addNoise(raw, subSeed(seed, 'texture'), { texture: 16, cell: 18 }),
    );
    backgrounds.set(cameraId, cached);
  }
  return cached;
}

/**
 * 'YYYY-MM-DD HH:MM:SS' (UTC) as burned into captures.
 * @param {string | Date} value
 */
export function formatTimestamp(value) {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The fixed camera view of a land-border vehicle lane, without a vehicle.
 * @param {string} cameraId e.g. 'L3-C07' (shown as "LANE 3 CAM 07")
 * @param {EncodeOptions & { timestamp?: string | Date }} [options]
 * @returns {Promise<Buffer>} JPEG unless `format: 'png'`
 */
export async function laneBackground(cameraId, options = {}) {
  const base = await backgroundRaw(cameraId);
  const stamp = options.timestamp === undefined ? '' : formatTimestamp(options.timestamp);
  const raw = await overlaySvg(base, svgDoc(CAPTURE_WIDTH, CAPTURE_HEIGHT, cameraOverlaySvg(cameraId, stamp)));
  return encode(raw, options);
}

/**
 * One capture: the camera's lane view with a vehicle at the stop line carrying `plate`, the light
 * of the moment, the burned-in overlay and sensor grain. Vehicle shape, colour, lamps, grille and
 * position all follow `seed`.
 * @param {{ seed: number, cameraId: string, plate: string, timestamp: string | Date } & EncodeOptions} spec
 * @returns {Promise<Buffer>}
 */
export async function vehicleCapture(spec) {
  const { seed, cameraId, plate, timestamp } = spec;
  const base = await backgroundRaw(cameraId);
  const svg = svgDoc(
    CAPTURE_WIDTH,
    CAPTURE_HEIGHT,
    vehicleSvg(subSeed(seed, 'vehicle'), plate) + cameraOverlaySvg(cameraId, formatTimestamp(timestamp)),
  );
  const raw = await overlaySvg(base, svg);
  const light = captureLight(subSeed(seed, 'light'));
  return encode(addNoise(raw, subSeed(seed, 'grain'), { texture: 5, cell: 40, grain: 3, light }), spec);
}

/**
 * A close crop of a plate as a plate reader stores it: the one template, `plate` in it, with
 * per-seed tilt, framing, grime and light.
 * @param {{ seed: number, plate: string } & EncodeOptions} spec
 * @returns {Promise<Buffer>}
 */
export async function plateCrop(spec) {
  const r = rng(subSeed(spec.seed, 'plate-crop'));
  const W = PLATE_CROP_WIDTH;
  const H = PLATE_CROP_HEIGHT;
  const scale = r.float(0.9, 0.98);
  const pw = W * scale;
  const ph = pw / PLATE_TEMPLATE.aspect;
  const x = (W - pw) / 2 + r.float(-8, 8);
  const y = (H - ph) / 2 + r.float(-4, 4);
  const parts = [`<rect width="${W}" height="${H}" fill="${hsl(r.float(0, 360), r.float(0, 0.3), r.float(0.08, 0.35))}"/>`];
  parts.push(`<g transform="rotate(${n(r.float(-2.5, 2.5))} ${W / 2} ${H / 2})">${plateSvg(spec.plate, { x, y, width: pw })}</g>`);
  for (let i = r.int(3, 9); i > 0; i--) {
    parts.push(`<ellipse cx="${n(r.float(0, W))}" cy="${n(r.float(0, H))}" rx="${n(r.float(8, 60))}" ry="${n(r.float(4, 20))}" fill="${hsl(30, 0.4, 0.25)}" opacity="${n(r.float(0.05, 0.25))}"/>`);
  }
  parts.push(`<defs><linearGradient id="l" x1="${n(r.next())}" y1="0" x2="${n(r.next())}" y2="1"><stop offset="0" stop-color="#fff" stop-opacity="${n(r.float(0, 0.2))}"/><stop offset="1" stop-color="#000" stop-opacity="${n(r.float(0.05, 0.35))}"/></linearGradient></defs><rect width="${W}" height="${H}" fill="url(#l)"/>`);
  const raw = await renderSvg(svgDoc(W, H, parts.join('')));
  return encode(addNoise(raw, subSeed(spec.seed, 'plate-grain'), { texture: 10, cell: 10, grain: 5 }), spec);
}

/**
 * A synthetic passport-style portrait (head and shoulders, flat shapes, stamped SYNTHETIC).
 * @param {{ seed: number } & EncodeOptions} spec
 * @returns {Promise<Buffer>}
 */
export async function travelerPortrait(spec) {
  const raw = await renderSvg(svgDoc(PORTRAIT_WIDTH, PORTRAIT_HEIGHT, portraitSvg(subSeed(spec.seed, 'portrait'))));
  return encode(addNoise(raw, subSeed(spec.seed, 'portrait-grain'), { texture: 7, cell: 26, grain: 4 }), spec);
}
