import sharp from 'sharp';
import { DEFAULT_DETECT_LIMITS, type Detector, type DetectorSetup } from '../../../src/identify/detector.js';
import { plateImageDetector } from '../../../src/identify/plate-reader/detector.js';
import { buildPlateSet } from '../../../src/identify/plates/agency.js';
import { plateOnlyIndex } from './fingerprint-index.js';

/**
 * A street-photo stand-in made at test time (no image is committed): a car-coloured body on a
 * textured road, a white plate with `text` in a bold sans face, and a dealer sticker whose words are
 * not a plate. Real photos are measured by the bench (scripts/bench/plates-in-images.js); this is
 * enough for the reader's logic end to end.
 */
export async function platePhoto(text: string, options: { plate?: boolean; seed?: number } = {}): Promise<Buffer> {
  const seed = options.seed ?? 1;
  const stripes = Array.from({ length: 12 }, (_, i) => {
    const grey = 60 + ((seed * 37 + i * 53) % 90);
    return `<rect x="0" y="${380 + i * 8}" width="800" height="8" fill="rgb(${grey},${grey},${grey})"/>`;
  }).join('');
  const plate =
    options.plate === false
      ? ''
      : `<rect x="290" y="300" width="230" height="56" rx="6" fill="#f4f4f0" stroke="#222" stroke-width="3"/>
  <text x="405" y="344" font-family="DejaVu Sans" font-weight="bold" font-size="34" text-anchor="middle" fill="#111">${text}</text>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="480">
  <rect width="800" height="480" fill="#7a8a99"/>${stripes}
  <rect x="140" y="150" width="520" height="240" rx="40" fill="#8b1e1e"/>
  <rect x="200" y="170" width="400" height="90" rx="20" fill="#223344"/>
  <circle cx="230" cy="400" r="45" fill="#111"/><circle cx="570" cy="400" r="45" fill="#111"/>
  ${plate}
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

/**
 * A band of 4-pixel checks, `across` x `down` squares from (x, y) in a 512-unit picture: strokes to
 * the reader's gate, but no mark shaped like a character or a panel.
 */
export const checkBand = (x: number, y: number, across: number, down: number): string =>
  Array.from({ length: across * down }, (_, k) => [k % across, Math.floor(k / across)] as const)
    .filter(([i, j]) => (i + j) % 2 === 0)
    .map(([i, j]) => `<rect x="${x + i * 4}" y="${y + j * 4}" width="4" height="4" fill="#141414"/>`)
    .join('');

/** The agency's plate QRT4821 low in a 512-unit picture: a white plate, bold dark text. */
export const AGENCY_PLATE_SVG = `<rect x="170" y="390" width="170" height="44" fill="#f4f4f0"/><text x="255" y="422" font-family="DejaVu Sans" font-weight="bold" font-size="26" text-anchor="middle" fill="#111">QRT4821</text>`;

/** A plate reader (`--read-plates`) whose agency list holds only QRT4821, under `key`. */
export function agencyPlateReader(key: Buffer): Detector {
  const setup: DetectorSetup = {
    fingerprints: plateOnlyIndex(buildPlateSet(['QRT4821'], key, [{ id: 'reads.csv', column: 'plate', rows: 1 }])),
    markers: [],
    limits: DEFAULT_DETECT_LIMITS,
    readPlates: true,
    plateKey: key,
    notice: () => {},
  };
  return plateImageDetector.create(setup)!;
}
