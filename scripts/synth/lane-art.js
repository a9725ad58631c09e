// @ts-check
/**
 * SVG painters for the fixed land-border lane camera: the scene that never moves (road, markings,
 * booth, barrier, sky, overlay) and the vehicle that changes with every capture. The vehicle fills
 * much of the frame, as on real lane cameras aimed at the stop line, so two captures by one camera
 * share a layout but not a picture.
 */
import { strokeText } from './glyphs.js';
import { plateSvg } from './plate-art.js';
import { rng } from './prng.js';
import { hsl, n, pts } from './svg-util.js';

export const CAPTURE_WIDTH = 1280;
export const CAPTURE_HEIGHT = 720;
const HORIZON = 250;

/**
 * Lane and camera numbers from an id such as 'L3-C07' (anything else is shown as given).
 * @param {string} cameraId
 */
export function cameraLabel(cameraId) {
  const m = /^L(\d+)-C(\d+)$/i.exec(cameraId);
  return m ? `LANE ${Number(m[1])} CAM ${m[2]}` : cameraId.toUpperCase();
}

/**
 * The static part of the camera view, drawn from a seed derived from the camera id.
 * @param {number} seed
 * @param {string} cameraId labels the booth with the camera's lane
 * @returns {string} SVG body (no <svg> wrapper)
 */
export function laneSceneSvg(seed, cameraId) {
  const r = rng(seed);
  const W = CAPTURE_WIDTH;
  const H = CAPTURE_HEIGHT;
  const vx = W / 2 + r.int(-90, 90);
  const skyHue = r.float(195, 225);
  const roadL = r.float(0.27, 0.4);
  const parts = [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hsl(skyHue, 0.45, r.float(0.45, 0.6))}"/><stop offset="1" stop-color="${hsl(skyHue, 0.25, 0.85)}"/></linearGradient>`,
    `<linearGradient id="road" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hsl(30, 0.04, roadL + 0.15)}"/><stop offset="1" stop-color="${hsl(30, 0.05, roadL)}"/></linearGradient></defs>`,
    `<rect width="${W}" height="${HORIZON + 2}" fill="url(#sky)"/>`,
  ];
  // Hills and a treeline: a jagged horizon unique to each camera site.
  const hill = [[0, HORIZON]];
  for (let x = 0; x <= W; x += 40) hill.push([x, HORIZON - r.float(15, 70) - 30 * Math.sin(x / 180 + seed)]);
  hill.push([W, HORIZON]);
  parts.push(`<polygon points="${pts(/** @type {[number, number][]} */ (hill))}" fill="${hsl(r.float(90, 140), 0.3, r.float(0.25, 0.35))}"/>`);
  parts.push(`<rect y="${HORIZON}" width="${W}" height="${H - HORIZON}" fill="${hsl(80, 0.2, r.float(0.35, 0.45))}"/>`);
  parts.push(`<polygon points="${pts([[vx - 40, HORIZON], [vx + 40, HORIZON], [W + 500, H], [-500, H]])}" fill="url(#road)"/>`);
  // Lane markings converge on the vanishing point; dashes shrink with distance.
  for (const bottom of [-260, W * 0.2, W * 0.8, W + 260]) {
    const solid = bottom < 0 || bottom > W;
    for (let t = 0.08; t < 1; t += solid ? 1 : 0.14) {
      const t2 = solid ? 1 : Math.min(1, t + 0.07);
      const at = (/** @type {number} */ s, /** @type {number} */ off) => /** @type {[number, number]} */ ([vx + (bottom - vx + off) * s, HORIZON + (H - HORIZON) * s]);
      parts.push(`<polygon points="${pts([at(t, -9), at(t, 9), at(t2, 9), at(t2, -9)])}" fill="${solid ? '#d8c040' : '#e8e8e0'}"/>`);
    }
  }
  parts.push(`<polygon points="${pts([[0, 560], [W, 560], [W, 578], [0, 578]])}" fill="#e8e8e0" opacity="0.8"/>`);
  // Inspection booth with its sign, and the raised barrier arm.
  // Booth on the driver's side of the lane: odd lanes left, even lanes right, so neighbouring
  // cameras do not share a layout.
  const laneNo = Number(/^L(\d+)/i.exec(cameraId)?.[1] ?? r.int(1, 2));
  const bx = laneNo % 2 ? 30 : 1010;
  const booth = hsl(r.float(0, 360), 0.25, r.float(0.5, 0.7));
  parts.push(
    `<rect x="${bx}" y="${HORIZON - 60}" width="240" height="330" fill="${booth}"/>`,
    `<rect x="${bx - 15}" y="${HORIZON - 80}" width="270" height="28" fill="${hsl(0, 0, 0.25)}"/>`,
    `<rect x="${bx + 25}" y="${HORIZON - 20}" width="190" height="110" fill="${hsl(200, 0.3, 0.3)}"/>`,
    `<rect x="${bx + 25}" y="${HORIZON + 110}" width="70" height="150" fill="${hsl(0, 0, 0.35)}"/>`,
    strokeText(cameraLabel(cameraId).replace(/ CAM.*/, ''), { x: bx + 120, y: HORIZON - 74, size: 16, color: '#f4f4f4', anchor: 'middle' }),
  );
  const px = bx < W / 2 ? bx + 250 : bx - 20;
  const ex = bx < W / 2 ? px + 260 : px - 260;
  const ey = HORIZON - 190;
  parts.push(`<rect x="${px - 10}" y="${HORIZON + 40}" width="20" height="250" fill="#555"/>`);
  for (let i = 0; i < 6; i++) {
    const at = (/** @type {number} */ s) => `${n(px + (ex - px) * s)}`;
    const atY = (/** @type {number} */ s) => `${n(HORIZON + 50 + (ey - HORIZON - 50) * s)}`;
    parts.push(`<line x1="${at(i / 6)}" y1="${atY(i / 6)}" x2="${at((i + 1) / 6)}" y2="${atY((i + 1) / 6)}" stroke="${i % 2 ? '#f0f0f0' : '#c8202a'}" stroke-width="14"/>`);
  }
  // Lamp posts and a gantry give the frame fixed high-contrast structure.
  for (const lx of [r.int(300, 420), r.int(860, 980)]) {
    parts.push(`<rect x="${lx}" y="${HORIZON - 150}" width="10" height="200" fill="#444"/><rect x="${lx - 30}" y="${HORIZON - 155}" width="50" height="10" fill="#444"/>`);
  }
  return parts.join('');
}

/**
 * The camera overlay: id box and timestamp strip, as burned in by the camera.
 * @param {string} cameraId
 * @param {string} timestamp already formatted
 */
export function overlaySvg(cameraId, timestamp) {
  return [
    `<rect x="12" y="12" width="300" height="40" fill="#000" opacity="0.6"/>`,
    strokeText(cameraLabel(cameraId), { x: 24, y: 22, size: 20, color: '#ffffff', weight: 0.14 }),
    `<rect x="0" y="${CAPTURE_HEIGHT - 36}" width="${CAPTURE_WIDTH}" height="36" fill="#000" opacity="0.7"/>`,
    strokeText(timestamp, { x: 20, y: CAPTURE_HEIGHT - 27, size: 18, color: '#f0f0a0', weight: 0.13 }),
    strokeText('REC', { x: CAPTURE_WIDTH - 20, y: CAPTURE_HEIGHT - 27, size: 18, color: '#ff5050', weight: 0.14, anchor: 'end' }),
  ].join('');
}

const BODY_COLOURS = /** @type {const} */ ([
  [0, 0, 0.92], [0, 0, 0.75], [0, 0, 0.12], [0, 0.7, 0.42], [215, 0.6, 0.35], [140, 0.4, 0.3],
  [0, 0, 0.45], [48, 0.85, 0.55], [25, 0.4, 0.3], [20, 0.85, 0.5], [200, 0.5, 0.6], [270, 0.3, 0.3],
]);

/**
 * A vehicle seen from the front at the stop line, with its plate.
 * @param {number} seed
 * @param {string} plate
 * @returns {string} SVG body
 */
export function vehicleSvg(seed, plate) {
  const r = rng(seed);
  const kind = r.pick(['sedan', 'suv', 'van', 'pickup', 'truck', 'hatch']);
  const big = kind === 'truck' || kind === 'van';
  const w = r.float(big ? 560 : 440, big ? 700 : 600);
  const cx = CAPTURE_WIDTH / 2 + r.float(-140, 140);
  const ground = r.float(585, 670);
  const bodyH = w * (kind === 'truck' ? 0.5 : kind === 'suv' || kind === 'pickup' ? 0.42 : kind === 'van' ? 0.4 : 0.34);
  const cabinW = w * (kind === 'van' || kind === 'truck' ? r.float(0.9, 0.96) : r.float(0.72, 0.86));
  const cabinH = w * (kind === 'van' ? r.float(0.4, 0.5) : kind === 'truck' ? r.float(0.36, 0.44) : r.float(0.22, 0.3));
  const [hue, sat, light] = r.pick(BODY_COLOURS);
  const body = hsl(hue + r.float(-8, 8), sat, Math.min(0.95, light + r.float(-0.06, 0.06)));
  const bodyDark = hsl(hue, sat, Math.max(0.05, light - 0.15));
  const top = ground - 40 - bodyH;
  const left = cx - w / 2;
  const tint = hsl(r.float(190, 230), 0.25, r.float(0.12, 0.3));
  const lit = r.next() < 0.5;
  const parts = [
    `<defs><linearGradient id="gl${seed}" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${tint}"/><stop offset="${n(r.float(0.3, 0.6))}" stop-color="${hsl(200, 0.2, 0.7)}" stop-opacity="0.7"/><stop offset="1" stop-color="${tint}"/></linearGradient>`,
    `<linearGradient id="bd${seed}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${body}"/><stop offset="1" stop-color="${bodyDark}"/></linearGradient></defs>`,
    `<ellipse cx="${n(cx)}" cy="${n(ground + 8)}" rx="${n(w * 0.62)}" ry="30" fill="#000" opacity="0.45"/>`,
  ];
  // Wheels show below the body at both sides.
  const wheelW = w * r.float(0.12, 0.17);
  for (const wx of [left + w * 0.04, left + w * 0.96 - wheelW]) {
    parts.push(`<rect x="${n(wx)}" y="${n(ground - 70)}" width="${n(wheelW)}" height="78" rx="14" fill="#141414"/>`);
  }
  // Cabin and windscreen.
  const cabinTop = top - cabinH;
  const slope = kind === 'van' || kind === 'truck' ? w * 0.02 : w * r.float(0.05, 0.1);
  parts.push(`<path d="M${n(cx - cabinW / 2)},${n(top + 4)} L${n(cx - cabinW / 2 + slope)},${n(cabinTop)} L${n(cx + cabinW / 2 - slope)},${n(cabinTop)} L${n(cx + cabinW / 2)},${n(top + 4)} Z" fill="${body}"/>`);
  const inset = w * 0.035;
  parts.push(`<polygon points="${pts([[cx - cabinW / 2 + inset, top], [cx - cabinW / 2 + slope + inset, cabinTop + inset * 0.8], [cx + cabinW / 2 - slope - inset, cabinTop + inset * 0.8], [cx + cabinW / 2 - inset, top]])}" fill="url(#gl${seed})"/>`);
  if (r.next() < 0.35) parts.push(`<rect x="${n(cx - cabinW * 0.4)}" y="${n(cabinTop - 14)}" width="${n(cabinW * 0.8)}" height="8" fill="#2a2a2a"/>`);
  for (const side of [-1, 1]) {
    const mx = cx + side * (cabinW / 2 + 8) - (side < 0 ? 44 : 0);
    parts.push(`<rect x="${n(mx)}" y="${n(top - cabinH * 0.35)}" width="44" height="30" rx="6" fill="${bodyDark}"/>`);
  }
  // Body, grille, lights, bumper, plate.
  parts.push(`<rect x="${n(left)}" y="${n(top)}" width="${n(w)}" height="${n(bodyH)}" rx="${n(w * r.float(0.03, 0.08))}" fill="url(#bd${seed})"/>`);
  const grilleW = w * r.float(0.3, big ? 0.6 : 0.45);
  const grilleH = bodyH * r.float(0.22, 0.42);
  const gy = top + bodyH * 0.15;
  parts.push(`<rect x="${n(cx - grilleW / 2)}" y="${n(gy)}" width="${n(grilleW)}" height="${n(grilleH)}" rx="6" fill="#1e1e1e"/>`);
  const bars = r.int(3, 9);
  const vertical = r.next() < 0.4;
  for (let i = 1; i < bars; i++) {
    const line = vertical
      ? `x1="${n(cx - grilleW / 2 + (grilleW * i) / bars)}" y1="${n(gy)}" x2="${n(cx - grilleW / 2 + (grilleW * i) / bars)}" y2="${n(gy + grilleH)}"`
      : `x1="${n(cx - grilleW / 2)}" y1="${n(gy + (grilleH * i) / bars)}" x2="${n(cx + grilleW / 2)}" y2="${n(gy + (grilleH * i) / bars)}"`;
    parts.push(`<line ${line} stroke="#9a9a9a" stroke-width="3"/>`);
  }
  parts.push(`<circle cx="${n(cx)}" cy="${n(gy + grilleH / 2)}" r="${n(Math.min(grilleH * 0.25, 16))}" fill="#c8c8c8"/>`);
  const lampShape = r.pick(['round', 'rect', 'slim']);
  const lampW = w * (lampShape === 'slim' ? r.float(0.16, 0.22) : r.float(0.1, 0.14));
  const lampH = lampShape === 'slim' ? bodyH * 0.1 : bodyH * r.float(0.16, 0.24);
  for (const side of [-1, 1]) {
    const lx = cx + side * (grilleW / 2 + lampW / 2 + w * 0.03);
    const fill = lit ? '#fff8d8' : '#d8dde0';
    parts.push(
      lampShape === 'round'
        ? `<ellipse cx="${n(lx)}" cy="${n(gy + grilleH * 0.45)}" rx="${n(lampW / 2)}" ry="${n(lampH / 2)}" fill="${fill}" stroke="#333" stroke-width="3"/>`
        : `<rect x="${n(lx - lampW / 2)}" y="${n(gy + grilleH * 0.2)}" width="${n(lampW)}" height="${n(lampH)}" rx="5" fill="${fill}" stroke="#333" stroke-width="3"/>`,
    );
    if (lit) parts.push(`<ellipse cx="${n(lx)}" cy="${n(gy + grilleH * 0.45)}" rx="${n(lampW)}" ry="${n(lampH)}" fill="#fff6c0" opacity="0.25"/>`);
  }
  const bumperY = top + bodyH * 0.68;
  parts.push(`<rect x="${n(left - 6)}" y="${n(bumperY)}" width="${n(w + 12)}" height="${n(bodyH * 0.3)}" rx="10" fill="${r.next() < 0.5 ? '#2b2b2b' : bodyDark}"/>`);
  const plateW = Math.min(200, w * 0.3);
  parts.push(plateSvg(plate, { x: cx - plateW / 2, y: bumperY + bodyH * 0.03, width: plateW }));
  return parts.join('');
}

/**
 * Per-capture light: sun or overcast across the frame, so captures by one camera at different
 * hours differ in tone as well as in vehicle.
 * @param {number} seed
 * @returns {{ angle: number, from: number, to: number }} for raster.addNoise
 */
export function captureLight(seed) {
  const r = rng(seed);
  return { angle: r.float(0, 2 * Math.PI), from: r.float(0.8, 1.12), to: r.float(0.75, 1.05) };
}
