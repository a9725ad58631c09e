// @ts-check
/**
 * Turned and skewed copies (issue 19): robustness classes where the agency image is rotated by a
 * few degrees, seen at an angle, or photographed on a monitor. Used by robustness.js like
 * robustness-subimage.js: every reference and every negative goes through each case, so the
 * negatives are these classes' hard negatives (turned and skewed other vehicles of the same lane
 * cameras, other plates of the same template, other portraits).
 *
 * - rotation-fill: turned on a canvas grown to hold it (an image viewer's turn), corners filled.
 * - rotation-crop: turned, then cropped to the largest rectangle of the original's shape inside it
 *   and scaled back to the original size (a photo editor's straighten): no canvas shows.
 * - perspective: each corner moved inward by 2-5% of the side (a print photographed at an angle),
 *   on a plain background, the frame size kept; `mixed`: some corners moved outward instead (the
 *   picture cut off there by the frame).
 * - monitor: the image fitted to a 16:10 screen in a dark bezel on a wall, with a faint moire of the
 *   pixel grid, photographed at an angle (perspective), slightly out of focus and darker; `scene`:
 *   in front of another lane's capture instead of a wall, the photo cut inside the warp so that the
 *   scene reaches every edge.
 *
 * The perspective warp is done here with sharp's raw pixels (inverse-mapped, 3x3 samples per
 * pixel), not by the code under test, and needs no ImageMagick.
 */
import sharp from 'sharp';
import { rng } from '../synth/prng.js';

/** @typedef {{ name: string, class: string, kind: 'turn' | 'straighten' | 'perspective' | 'monitor', params: any }} WarpCase */

/** @type {readonly WarpCase[]} */
export const WARP_CASES = Object.freeze([
  { name: 'rotate-fill-2', class: 'rotation-fill', kind: 'turn', params: { angle: 2, background: '#000000' } },
  { name: 'rotate-fill-6', class: 'rotation-fill', kind: 'turn', params: { angle: -6, background: '#ffffff' } },
  { name: 'rotate-fill-10', class: 'rotation-fill', kind: 'turn', params: { angle: 10, background: '#808080' } },
  { name: 'rotate-crop-1', class: 'rotation-crop', kind: 'straighten', params: { angle: -1 } },
  { name: 'rotate-crop-4', class: 'rotation-crop', kind: 'straighten', params: { angle: 4 } },
  { name: 'rotate-crop-9', class: 'rotation-crop', kind: 'straighten', params: { angle: -9 } },
  { name: 'perspective-2', class: 'perspective', kind: 'perspective', params: { percent: 2, seed: 1, background: '#e8e4dc' } },
  { name: 'perspective-5', class: 'perspective', kind: 'perspective', params: { percent: 5, seed: 2, background: '#30302c' } },
  { name: 'perspective-5-mixed', class: 'perspective', kind: 'perspective', params: { percent: 5, seed: 5, background: '#ffffff', mixed: true } },
  { name: 'monitor-left', class: 'monitor', kind: 'monitor', params: { seed: 3, wall: [196, 188, 172], tilt: 0.06 } },
  { name: 'monitor-right', class: 'monitor', kind: 'monitor', params: { seed: 4, wall: [92, 104, 118], tilt: 0.08 } },
  // The screen in front of a busy scene that runs to the photo's edges (a booth's monitor with the
  // lane behind it), as a photo of a monitor usually is: no plain wall frames it.
  { name: 'monitor-scene', class: 'monitor', kind: 'monitor', params: { seed: 6, wall: [150, 150, 150], tilt: 0.07, scene: 700_006 } },
]);

/** Recall targets of issue 19 below the bench's 0.95 for every class. */
export const WARP_RECALL_TARGETS = Object.freeze({ monitor: 0.8 });

/** The synthetic fixtures' seeded generator (mulberry32), so every run draws the same corners. @param {number} seed */
const random = (seed) => rng(seed).next;

/** @param {Buffer} base @param {{ angle: number, background: string }} p */
async function turn(base, p) {
  return sharp(base).rotate(p.angle, { background: p.background }).jpeg({ quality: 85 }).toBuffer();
}

/** @param {Buffer} base @param {{ angle: number }} p */
async function straighten(base, p) {
  const { width = 0, height = 0 } = await sharp(base).metadata();
  const turned = await sharp(base).rotate(p.angle, { background: '#000000' }).toBuffer({ resolveWithObject: true });
  const a = (Math.abs(p.angle) * Math.PI) / 180;
  const f = Math.min(width / (width * Math.cos(a) + height * Math.sin(a)), height / (width * Math.sin(a) + height * Math.cos(a)));
  // Two pixels less on each side, so no interpolated canvas edge is left in the crop.
  const w = Math.floor(f * width) - 4;
  const h = Math.floor(f * height) - 4;
  const left = Math.round((turned.info.width - w) / 2);
  const top = Math.round((turned.info.height - h) / 2);
  return sharp(turned.data).extract({ left, top, width: w, height: h }).resize(width, height).jpeg({ quality: 85 }).toBuffer();
}

/**
 * Solves the homography taking the unit square's corners (0,0),(1,0),(1,1),(0,1) to `to` and
 * returns its inverse mapping as a function from output pixel to source unit coordinates.
 * @param {{ x: number, y: number }[]} to @returns {(x: number, y: number) => { u: number, v: number }}
 */
function fromQuad(to) {
  // Square-to-quad (Heckbert), then inverted with the adjugate.
  const [p0, p1, p2, p3] = /** @type {[{ x: number, y: number }, { x: number, y: number }, { x: number, y: number }, { x: number, y: number }]} */ (to);
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / den;
  const h = (dx1 * sy - sx * dy1) / den;
  const m = [p1.x - p0.x + g * p1.x, p3.x - p0.x + h * p3.x, p0.x, p1.y - p0.y + g * p1.y, p3.y - p0.y + h * p3.y, p0.y, g, h, 1];
  const [a, b, c, d, e, f, gg, hh, i] = /** @type {[number, number, number, number, number, number, number, number, number]} */ (m);
  const inv = /** @type {[number, number, number, number, number, number, number, number, number]} */ ([e * i - f * hh, c * hh - b * i, b * f - c * e, f * gg - d * i, a * i - c * gg, c * d - a * f, d * hh - e * gg, b * gg - a * hh, a * e - b * d]);
  return (x, y) => {
    const w = inv[6] * x + inv[7] * y + inv[8];
    return { u: (inv[0] * x + inv[1] * y + inv[2]) / w, v: (inv[3] * x + inv[4] * y + inv[5]) / w };
  };
}

/**
 * `base` warped so that its corners land on `corners` of a width x height frame of `background`.
 * @param {Buffer} base @param {{ x: number, y: number }[]} corners @param {number} width @param {number} height @param {number[]} background
 * @param {number} n samples per pixel and axis
 */
async function warp(base, corners, width, height, background, n = 3) {
  const src = await sharp(base).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width: sw, height: sh } = src.info;
  const map = fromQuad(corners);
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const acc = /** @type {[number, number, number]} */ ([0, 0, 0]);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const { u, v } = map(x + (i + 0.5) / n, y + (j + 0.5) / n);
          const inside = u >= 0 && u < 1 && v >= 0 && v < 1;
          for (let c = 0; c < 3; c++) acc[/** @type {0 | 1 | 2} */ (c)] += inside ? /** @type {number} */ (src.data[(Math.floor(v * sh) * sw + Math.floor(u * sw)) * 3 + c]) : /** @type {number} */ (background[c]);
        }
      }
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.round(/** @type {number} */ (acc[c]) / (n * n));
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } });
}

/** @param {string} hex */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * Corners of a w x h frame each moved inward (or, `mixed`, either way) by 0.5-1 x `share` of the side.
 * @param {number} w @param {number} h @param {number} share @param {() => number} rnd @param {boolean} mixed
 */
function inward(w, h, share, rnd, mixed) {
  const d = () => share * (0.5 + 0.5 * rnd()) * (mixed && rnd() < 0.5 ? -1 : 1);
  return [
    { x: d() * w, y: d() * h },
    { x: w - d() * w, y: d() * h },
    { x: w - d() * w, y: h - d() * h },
    { x: d() * w, y: h - d() * h },
  ];
}

/** @param {Buffer} base @param {{ percent: number, seed: number, background: string, mixed?: boolean }} p */
async function perspective(base, p) {
  const { width = 0, height = 0 } = await sharp(base).metadata();
  const frame = await warp(base, inward(width, height, p.percent / 100, random(p.seed), p.mixed ?? false), width, height, rgb(p.background));
  return frame.jpeg({ quality: 85 }).toBuffer();
}

/** @param {Buffer} base @param {{ seed: number, wall: number[], tilt: number, scene?: number }} p */
async function monitor(base, p) {
  const rnd = random(p.seed);
  const W = 1600;
  const H = 1100;
  const screen = { width: 1040, height: 650 };
  const bezel = 28;
  const left = Math.round((W - screen.width) / 2);
  const top = 150;
  const fitted = await sharp(base).resize(screen.width, screen.height, { fit: 'contain', background: '#000000' }).toBuffer();
  // A faint pixel-grid moire: thin dark lines a few degrees off the screen's axes.
  const lines = [];
  for (let x = -200; x < screen.width + 200; x += 5) lines.push(`<line x1="${x}" y1="0" x2="${x + 40}" y2="${screen.height}" stroke="#000" stroke-width="1.2"/>`);
  const moire = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${screen.width}" height="${screen.height}"><g opacity="0.12">${lines.join('')}</g></svg>`);
  const shown = await sharp(fitted).composite([{ input: moire }]).toBuffer();
  const [r, g, b] = /** @type {[number, number, number]} */ (p.wall);
  const wall = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><linearGradient id="w" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="rgb(${r},${g},${b})"/><stop offset="1" stop-color="rgb(${r - 40},${g - 40},${b - 40})"/></linearGradient></defs>` +
      `<rect width="${W}" height="${H}" fill="url(#w)"/><rect x="${left - bezel}" y="${top - bezel}" width="${screen.width + 2 * bezel}" height="${screen.height + 2 * bezel}" rx="10" fill="#141414"/>` +
      `<rect x="${W / 2 - 30}" y="${top + screen.height + bezel}" width="60" height="140" fill="#1c1c1c"/><rect x="${W / 2 - 180}" y="${top + screen.height + bezel + 140}" width="360" height="22" rx="6" fill="#1c1c1c"/></svg>`,
  );
  const behind = p.scene === undefined ? wall : await sceneBehind(p.scene, wall, W, H);
  const scene = await sharp(behind).composite([{ input: shown, left, top }]).removeAlpha().png().toBuffer();
  // Photographed from one side: the near edge taller than the far one, plus some random corner play.
  const t = p.tilt;
  const side = rnd() < 0.5 ? 1 : -1;
  const j = () => (rnd() - 0.5) * 0.02;
  const c = [
    { x: (0.02 + j()) * W, y: (side > 0 ? t : 0.01 + j()) * H },
    { x: (0.98 + j()) * W, y: (side > 0 ? 0.01 + j() : t) * H },
    { x: (0.98 + j()) * W, y: (side > 0 ? 0.99 + j() : 1 - t) * H },
    { x: (0.02 + j()) * W, y: (side > 0 ? 1 - t : 0.99 + j()) * H },
  ];
  // Two samples per axis: the photo is blurred afterwards anyway.
  const frame = await warp(scene, c, W, H, [r - 60, g - 60, b - 60], 2);
  let photo = await frame.png().toBuffer();
  // Inside the warped scene's corners (at most 2% + tilt from the frame's edges).
  if (p.scene !== undefined) photo = await sharp(photo).extract({ left: Math.round(0.08 * W), top: Math.round(0.09 * H), width: Math.round(0.84 * W), height: Math.round(0.86 * H) }).png().toBuffer();
  return sharp(photo).blur(1.1).modulate({ brightness: 0.9 }).jpeg({ quality: 80 }).toBuffer();
}

/**
 * Another lane's capture (not a reference: seeds past the bench's) under the wall's bezel and stand,
 * the wall's own fill left out. @param {number} seed @param {Buffer} wall @param {number} W @param {number} H
 */
async function sceneBehind(seed, wall, W, H) {
  const { vehicleCapture } = await import('../synth/scenes.js');
  const capture = await vehicleCapture({ seed, cameraId: 'L5-C02', plate: 'KT40ZR', timestamp: '2026-10-03T07:12:00.000Z' });
  const furniture = Buffer.from(wall.toString().replace(/<rect width="\d+" height="\d+" fill="url\(#w\)"\/>/, ''));
  return sharp(capture).resize(W, H, { fit: 'cover' }).composite([{ input: furniture }]).removeAlpha().png().toBuffer();
}

/** The copy of `base` for one case. @param {WarpCase} c @param {Buffer} base */
export function applyWarpCase(c, base) {
  if (c.kind === 'turn') return turn(base, c.params);
  if (c.kind === 'straighten') return straighten(base, c.params);
  if (c.kind === 'perspective') return perspective(base, c.params);
  return monitor(base, c.params);
}
