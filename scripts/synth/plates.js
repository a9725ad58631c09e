// @ts-check
/**
 * Synthetic licence plates and plate-reader exports. Plates follow a few common real-world shapes
 * (ABC1234, AB12CDE, 1ABC234) but come from a seeded generator, so none is anyone's plate on
 * purpose. Letters I, O and Q are left out, as many jurisdictions do, to avoid 1/0 confusion.
 */
import { rng, subSeed } from './prng.js';

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const DIGITS = '0123456789';

/** Plate shapes: L = letter, D = digit. */
export const PLATE_FORMATS = Object.freeze(['LLLDDDD', 'LLDDLLL', 'DLLLDDD']);

/**
 * One plate in a given shape.
 * @param {import('./prng.js').Rng} random
 * @param {string} format
 */
export function makePlate(random, format) {
  let plate = '';
  for (const slot of format) plate += random.pick(/** @type {readonly string[]} */ ([...(slot === 'L' ? LETTERS : DIGITS)]));
  return plate;
}

/**
 * `count` distinct plates, deterministic for a seed, none of them in `exclude`.
 * @param {{ seed: number, count: number, exclude?: ReadonlySet<string> }} spec
 * @returns {string[]}
 */
export function generatePlates({ seed, count, exclude = new Set() }) {
  const random = rng(subSeed(seed, 'plates'));
  /** @type {Set<string>} */
  const out = new Set();
  while (out.size < count) {
    const plate = makePlate(random, random.pick(PLATE_FORMATS));
    if (!exclude.has(plate)) out.add(plate);
  }
  return [...out];
}

/**
 * @typedef {object} PlateRead One row of an agency plate-reader export.
 * @property {string} read_id
 * @property {string} captured_at ISO 8601, UTC
 * @property {number} lane
 * @property {string} camera
 * @property {string} plate
 * @property {string} confidence two decimals, 0.80-0.99
 */

/** Columns of the export, in order. */
export const PLATE_READ_COLUMNS = Object.freeze(['read_id', 'captured_at', 'lane', 'camera', 'plate', 'confidence']);

/**
 * `count` reads of `plates` over a month: every plate is read at least once (when count allows),
 * frequent crossers several times, in time order.
 * @param {{ seed: number, count: number, plates: readonly string[], month?: string, cameras?: readonly string[] }} spec
 *   month as 'YYYY-MM' (default '2026-10'); cameras as 'L<lane>-C<cam>' ids
 * @returns {PlateRead[]}
 */
export function plateReads({ seed, count, plates, month = '2026-10', cameras = ['L3-C07', 'L4-C09', 'L1-C02', 'L2-C04'] }) {
  if (plates.length === 0) throw new RangeError('plateReads needs at least one plate');
  const random = rng(subSeed(seed, 'plate-reads'));
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const [year = 0, mon = 1] = month.split('-').map(Number);
  const span = Date.UTC(year, mon, 1) - start;
  const rows = [];
  for (let i = 0; i < count; i++) {
    const plate = i < plates.length ? /** @type {string} */ (plates[i]) : random.pick(plates);
    const camera = random.pick(cameras);
    const when = start + Math.floor(random.next() * (span / 1000)) * 1000;
    rows.push({ when, camera, plate, confidence: (0.8 + random.next() * 0.19).toFixed(2) });
  }
  rows.sort((a, b) => a.when - b.when || (a.plate < b.plate ? -1 : 1));
  return rows.map((row, i) => ({
    read_id: `RD-${month.replace('-', '')}-${String(i + 1).padStart(5, '0')}`,
    captured_at: new Date(row.when).toISOString().replace('.000Z', 'Z'),
    lane: Number(/^L(\d+)/.exec(row.camera)?.[1] ?? 0),
    camera: row.camera,
    plate: row.plate,
    confidence: row.confidence,
  }));
}

/**
 * CSV text with a header row. No field needs quoting (ids, ISO times, plates, numbers).
 * @param {readonly PlateRead[]} rows
 */
export function plateReadsCsv(rows) {
  const lines = [PLATE_READ_COLUMNS.join(',')];
  for (const row of rows) lines.push([row.read_id, row.captured_at, row.lane, row.camera, row.plate, row.confidence].join(','));
  return `${lines.join('\n')}\n`;
}
