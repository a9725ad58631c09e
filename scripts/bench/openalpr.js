// @ts-check
/**
 * The openalpr benchmark's end-to-end photos (openalpr/benchmarks, endtoend/; AGPL-3.0, never
 * committed): each region's folder holds photos and beside each a .txt whose first column names
 * the photo and whose sixth is its plate. The plate benches read them alike: per region, the first
 * `limit` lists in name order whose photo exists, and every other distinct plate (sorted) counted as
 * an agency plate, the rest as other plates.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * @param {string} photos the endtoend folder
 * @param {readonly string[]} regions e.g. us, eu, br
 * @param {number} limit lists read per region
 * @returns {{ region: string, dir: string, file: string, plate: string, agency: boolean }[]} file: the photo's name in dir
 */
export function openalprPhotos(photos, regions, limit) {
  return regions.flatMap((region) => {
    const dir = path.join(photos, region);
    const rows = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .slice(0, limit)
      .map((f) => readFileSync(path.join(dir, f), 'utf8').trim().split(/\s+/))
      .filter((cols) => cols.length >= 6 && existsSync(path.join(dir, cols[0] ?? '')));
    const plates = [...new Set(rows.map((cols) => cols[5] ?? ''))].sort();
    const agency = new Set(plates.filter((_, i) => i % 2 === 0));
    return rows.map((cols) => ({ region, dir, file: cols[0] ?? '', plate: cols[5] ?? '', agency: agency.has(cols[5] ?? '') }));
  });
}
