// @ts-check
/**
 * A photo as the plate reader gets it in an audit (detector.ts): the 512 decode, the stroke gate's
 * places, the character-row test, then the larger decode (READ_MAX_SIDE) in RGB and the places
 * scaled to it. For the bench scripts that run the reader's later stages on their own
 * (plate-reader-crops.js, ocr-session-options.js).
 */
import { distModule } from './builds.js';

/**
 * The reader's input of the photo `bytes` by the build in `dir`, or undefined where the audit would
 * not read it (not decodable, no place, no row).
 * @param {string} dir @param {Buffer} bytes
 * @returns {Promise<{ rgb: any, regions: { x: number, y: number, width: number, height: number }[] } | undefined>}
 */
export async function readerInput(dir, bytes) {
  const [{ decodeImage }, { gatedRegions, lumaOf }, { anyCharacterRow }, { READ_MAX_SIDE }, { toRgb }] = await Promise.all([
    distModule(dir, 'identify/image-decode.js'),
    distModule(dir, 'identify/plate-reader/gate.js'),
    distModule(dir, 'identify/plate-reader/char-rows.js'),
    distModule(dir, 'identify/plate-reader/detector.js'),
    distModule(dir, 'identify/plate-reader/raster.js'),
  ]);
  const small = await decodeImage(bytes, { maxImagePixels: 100_000_000 });
  if (!small.ok) return undefined;
  const luma = lumaOf(small.image.pixels, small.image.width, small.image.height, small.image.channels);
  const { regions } = gatedRegions(luma);
  if (regions.length === 0 || !anyCharacterRow(luma, regions)) return undefined;
  const full = await decodeImage(bytes, { maxImagePixels: 100_000_000, maxSide: READ_MAX_SIDE });
  if (!full.ok) return undefined;
  const s = full.image.width / small.image.width;
  return {
    rgb: toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels),
    regions: regions.map((/** @type {{ x: number, y: number, width: number, height: number }} */ r) => ({ x: r.x * s, y: r.y * s, width: r.width * s, height: r.height * s })),
  };
}
