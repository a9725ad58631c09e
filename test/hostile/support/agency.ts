import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFingerprints } from '../../../src/fingerprint/create.js';
import { perceptualHasher } from '../../../src/fingerprint/perceptual.js';
import { plateCollector } from '../../../src/fingerprint/plates.js';
import { rng } from '../../support/fuzz.js';
import { encode, rawPicture } from './images.js';

/** The agency's plates, normalised. Leak tests search outputs for each in several spellings. */
export const AGENCY_PLATES = ['ABC1234', 'XYZ9876', 'KLM4455'] as const;
/** A test-only plate key (CUSTODY_PLATE_KEY); at least 16 bytes. */
export const PLATE_KEY = 'hostile-suite-plate-key-0123456789abcdef';

/** A small agency reference set and its fingerprint file. */
export interface Agency {
  dir: string;
  fingerprintFile: string;
  /** The reference images' bytes (copies of these go into the corpus). */
  images: Buffer[];
  plateCsv: string;
}

/**
 * Builds three reference images (or the JPEGs given) and a plate-read export, and fingerprints them
 * (perceptual + plates).
 */
export async function buildAgency(base: string, jpegs?: readonly Buffer[]): Promise<Agency> {
  const dir = path.join(base, 'agency');
  await mkdir(path.join(dir, 'lanes'), { recursive: true });
  const r = rng(7);
  const images: Buffer[] = [];
  for (let i = 0; i < (jpegs?.length ?? 3); i++) {
    const bytes = jpegs?.[i] ?? (await encode(rawPicture(r, 160, 120), 160, 120, 'jpeg'));
    images.push(bytes);
    await writeFile(path.join(dir, 'lanes', `lane-${i}.jpg`), bytes);
  }
  const plateCsv = `${['plate,seen_at,lane', ...AGENCY_PLATES.map((p, i) => `${p},2026-11-0${i + 1}T10:00:00Z,${i + 1}`)].join('\n')}\n`;
  await writeFile(path.join(dir, 'reads.csv'), plateCsv);
  const { file, coverage } = await createFingerprints({
    roots: [dir],
    perceptual: perceptualHasher(),
    plates: plateCollector(Buffer.from(PLATE_KEY, 'utf8')),
  });
  if (coverage.length > 0) throw new Error(`agency set not fully fingerprinted: ${JSON.stringify(coverage)}`);
  const fingerprintFile = path.join(base, 'agency.fp.json');
  await writeFile(fingerprintFile, `${JSON.stringify(file, null, 2)}\n`);
  return { dir, fingerprintFile, images, plateCsv };
}

/** Spellings of a plate a careless reporter might print: as stored, lower case, spaced, dashed. */
export function plateSpellings(plate: string): string[] {
  const letters = plate.replace(/\d.*$/, '');
  const rest = plate.slice(letters.length);
  return [plate, plate.toLowerCase(), `${letters} ${rest}`, `${letters}-${rest}`, `${letters.toLowerCase()}-${rest}`];
}
