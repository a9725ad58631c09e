// @ts-check
/**
 * Pictures in pictures (issue 19): robustness classes where the agency image is only part of the
 * query, or turned off the axes. Used by robustness.js: every reference and every negative goes
 * through each case, so the negatives give the hard negatives of these classes (screenshots and
 * contact sheets of non-agency images, same-camera other vehicles in a sheet, tilted other plates).
 *
 * - screenshot: a viewer window (title bar, toolbar with icons, file list with thumbnails, status
 *   bar) showing the image on its canvas at a given share of the frame; PNG or JPEG q85.
 * - screenshot over a wallpaper: the same viewer, its window smaller than the screen, over a desktop
 *   whose wallpaper is a photo (another lane's capture) that reaches every edge, so the window has a
 *   busy surround on every side: a gate that assumes a plain surround is judged against it too.
 * - contact sheet: a 2x2 or 3x3 grid, the image in one cell and other (non-agency) pictures in the
 *   rest, each fitted to its cell on the sheet's background; JPEG q85.
 *
 * Not here yet (issue 19 lists them; the search finds none of them): small rotations, perspective,
 * photos of a monitor, tiny plate crops.
 */
import sharp from 'sharp';

/** @typedef {{ name: string, class: string, kind: 'screenshot' | 'sheet', params: any }} SubimageCase */

/** @type {readonly SubimageCase[]} */
export const SUBIMAGE_CASES = Object.freeze([
  { name: 'screenshot-65', class: 'screenshot-50+', kind: 'screenshot', params: { share: 0.65, format: 'png', canvas: '#2b2b2b' } },
  { name: 'screenshot-52', class: 'screenshot-50+', kind: 'screenshot', params: { share: 0.52, format: 'jpeg', canvas: '#f0f0f0' } },
  { name: 'screenshot-42', class: 'screenshot-25-50', kind: 'screenshot', params: { share: 0.42, format: 'jpeg', canvas: '#3c3f41' } },
  { name: 'screenshot-28', class: 'screenshot-25-50', kind: 'screenshot', params: { share: 0.28, format: 'png', canvas: '#ffffff' } },
  // The window at 0.8 of the screen's sides over a photo wallpaper; the picture 36% of the whole screen.
  {
    name: 'screenshot-wallpaper',
    class: 'screenshot-25-50',
    kind: 'screenshot',
    params: { share: 0.36, format: 'jpeg', canvas: '#2b2b2b', wallpaper: 700_019, window: 0.8 },
  },
  { name: 'sheet-2x2', class: 'contact-sheet', kind: 'sheet', params: { grid: 2, cell: 1, gutter: '#ffffff' } },
  { name: 'sheet-3x3', class: 'contact-sheet', kind: 'sheet', params: { grid: 3, cell: 4, gutter: '#202020' } },
  { name: 'sheet-3x3-tight', class: 'contact-sheet', kind: 'sheet', params: { grid: 3, cell: 8, gutter: '#ffffff', gap: 2 } },
]);

/** Recall targets of issue 19 below the bench's 0.95 for every class. */
export const SUBIMAGE_RECALL_TARGETS = Object.freeze({ 'screenshot-25-50': 0.8 });

const FRAME = { width: 1280, height: 800 };
const CHROME = { title: 30, toolbar: 40, status: 24, sidebar: 180 };

/**
 * The pictures that fill the other cells of a contact sheet: non-agency scenes (seeds no reference
 * or negative uses), rendered once per process.
 * @type {Promise<Buffer[]> | undefined}
 */
let fillers;

async function fillerImages() {
  const scenes = await import('../synth/scenes.js');
  const { generatePlates } = await import('../synth/plates.js');
  const plates = generatePlates({ seed: 19_019, count: 8 });
  const out = [];
  for (let i = 0; i < 8; i++) {
    const seed = 1_900_000 + i;
    const plate = /** @type {string} */ (plates[i]);
    if (i % 3 === 0) out.push(await scenes.vehicleCapture({ seed, cameraId: i % 2 ? 'L3-C07' : 'L4-C09', plate, timestamp: '2026-10-02T07:00:00.000Z' }));
    else if (i % 3 === 1) out.push(await scenes.travelerPortrait({ seed }));
    else out.push(await scenes.plateCrop({ seed, plate }));
  }
  return out;
}

/** A viewer's chrome as SVG: bars, icon squares, a file list with coloured thumbnails and text-like dashes. @param {string} canvas */
function chromeSvg(canvas) {
  const { width, height } = FRAME;
  const parts = [`<rect width="${width}" height="${height}" fill="${canvas}"/>`];
  parts.push(`<rect width="${width}" height="${CHROME.title}" fill="#dcdcdc"/>`);
  for (let i = 0; i < 14; i++) parts.push(`<rect x="${440 + i * 28}" y="11" width="${18 + (i % 3) * 4}" height="8" fill="#444"/>`);
  parts.push(`<rect y="${CHROME.title}" width="${width}" height="${CHROME.toolbar}" fill="#f3f3f3"/>`);
  for (let i = 0; i < 12; i++) parts.push(`<rect x="${12 + i * 36}" y="${CHROME.title + 8}" width="24" height="24" rx="4" fill="hsl(${i * 30},45%,45%)"/>`);
  const listTop = CHROME.title + CHROME.toolbar;
  parts.push(`<rect y="${listTop}" width="${CHROME.sidebar}" height="${height - listTop}" fill="#fafafa"/>`);
  for (let i = 0; i * 34 + 40 < height - listTop - CHROME.status; i++) {
    const y = listTop + 8 + i * 34;
    parts.push(`<rect x="8" y="${y}" width="36" height="26" fill="hsl(${(i * 47) % 360},35%,${35 + (i % 4) * 10}%)"/>`);
    parts.push(`<rect x="52" y="${y + 9}" width="${60 + ((i * 29) % 60)}" height="7" fill="#555"/>`);
  }
  parts.push(`<rect y="${height - CHROME.status}" width="${width}" height="${CHROME.status}" fill="#e4e4e4"/>`);
  parts.push(`<rect x="10" y="${height - 16}" width="220" height="7" fill="#666"/>`);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`);
}

/**
 * @param {Buffer} base
 * @param {{ share: number, format: string, canvas: string, wallpaper?: number, window?: number }} p
 *   `wallpaper`: the seed of the photo the window lies over, `window` its share of the screen's sides
 */
async function screenshot(base, p) {
  if (p.wallpaper !== undefined) return overWallpaper(base, { ...p, wallpaper: p.wallpaper, window: p.window ?? 0.8 });
  const meta = await sharp(base).metadata();
  const aspect = /** @type {number} */ (meta.width) / /** @type {number} */ (meta.height);
  const canvas = { x: CHROME.sidebar, y: CHROME.title + CHROME.toolbar, width: FRAME.width - CHROME.sidebar, height: FRAME.height - CHROME.title - CHROME.toolbar - CHROME.status };
  let h = Math.sqrt((p.share * FRAME.width * FRAME.height) / aspect);
  let w = h * aspect;
  const fit = Math.min(1, (canvas.width - 8) / w, (canvas.height - 8) / h);
  w = Math.round(w * fit);
  h = Math.round(h * fit);
  const shown = await sharp(base).resize(w, h).toBuffer();
  const left = canvas.x + Math.round((canvas.width - w) / 2);
  const top = canvas.y + Math.round((canvas.height - h) / 2);
  const frame = sharp(chromeSvg(p.canvas)).composite([{ input: shown, left, top }]);
  return p.format === 'png' ? frame.png().toBuffer() : frame.jpeg({ quality: 85 }).toBuffer();
}

/**
 * The viewer's window (a screenshot of the picture at share / window^2 of it) shrunk to `window` of
 * the screen's sides and laid over a wallpaper photo filling the screen, left of centre and high,
 * as a window sits on a desktop. The wallpaper is another lane's capture (a seed past the bench's
 * references and negatives), so what surrounds the window is as busy as a camera photo.
 * @param {Buffer} base @param {{ share: number, format: string, canvas: string, wallpaper: number, window: number }} p
 */
async function overWallpaper(base, p) {
  const { vehicleCapture } = await import('../synth/scenes.js');
  const { width, height } = FRAME;
  const photo = await vehicleCapture({ seed: p.wallpaper, cameraId: 'L5-C02', plate: 'KT40ZR', timestamp: '2026-10-03T07:12:00.000Z' });
  const wallpaper = await sharp(photo).resize(width, height, { fit: 'cover' }).removeAlpha().png().toBuffer();
  const w = Math.round(width * p.window);
  const h = Math.round(height * p.window);
  const inner = await screenshot(base, { share: p.share / (p.window * p.window), format: 'png', canvas: p.canvas });
  const window = await sharp(inner).resize(w, h).png().toBuffer();
  const frame = sharp(wallpaper).composite([{ input: window, left: Math.round((width - w) * 0.35), top: Math.round((height - h) * 0.3) }]);
  return p.format === 'png' ? frame.png().toBuffer() : frame.jpeg({ quality: 85 }).toBuffer();
}

/** @param {Buffer} base @param {{ grid: number, cell: number, gutter: string, gap?: number }} p */
async function sheet(base, p) {
  fillers ??= fillerImages();
  const others = await fillers;
  const cellW = p.grid === 2 ? 560 : 380;
  const cellH = Math.round(cellW * 0.75);
  const gap = p.gap ?? 16;
  const width = p.grid * cellW + (p.grid + 1) * gap;
  const height = p.grid * cellH + (p.grid + 1) * gap;
  const cells = [];
  for (let i = 0; i < p.grid * p.grid; i++) {
    const input = i === p.cell ? base : /** @type {Buffer} */ (others[i % others.length]);
    const fitted = await sharp(input).resize(cellW, cellH, { fit: 'contain', background: p.gutter }).toBuffer();
    cells.push({ input: fitted, left: gap + (i % p.grid) * (cellW + gap), top: gap + Math.floor(i / p.grid) * (cellH + gap) });
  }
  return sharp({ create: { width, height, channels: 3, background: p.gutter } }).composite(cells).jpeg({ quality: 85 }).toBuffer();
}

/** The copy of `base` for one case. @param {SubimageCase} c @param {Buffer} base */
export function applySubimageCase(c, base) {
  if (c.kind === 'screenshot') return screenshot(base, c.params);
  return sheet(base, c.params);
}
