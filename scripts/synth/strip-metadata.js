// @ts-check
/**
 * Metadata removal that leaves the pixels alone: drops the metadata segments of a JPEG or the
 * metadata chunks of a PNG, byte for byte, the way exiftool -all= does. Re-encoding would also
 * strip metadata but change pixels, conflating two robustness classes.
 */

/** JPEG markers dropped: APP1..APP15 (EXIF, XMP, ICC, IPTC...) and COM. APP0 (JFIF) stays. */
const DROP_JPEG = (/** @type {number} */ m) => (m >= 0xe1 && m <= 0xef) || m === 0xfe;

/** PNG chunks dropped: text, EXIF, time and ICC. */
const DROP_PNG = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME', 'iCCP']);

/**
 * @param {Buffer} input a JPEG or PNG
 * @returns {Buffer | undefined} the stripped bytes, or undefined for other formats or damaged files
 */
export function stripMetadataBytes(input) {
  if (input[0] === 0xff && input[1] === 0xd8) return stripJpeg(input);
  if (input.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return stripPng(input);
  return undefined;
}

/** @param {Buffer} input */
function stripJpeg(input) {
  /** @type {Buffer[]} */
  const kept = [input.subarray(0, 2)];
  let p = 2;
  while (p + 4 <= input.length) {
    if (input[p] !== 0xff) return undefined;
    const marker = /** @type {number} */ (input[p + 1]);
    // From start-of-scan on, the rest is entropy-coded data and trailer: keep it whole.
    if (marker === 0xda) {
      kept.push(input.subarray(p));
      return Buffer.concat(kept);
    }
    const length = input.readUInt16BE(p + 2);
    if (!DROP_JPEG(marker)) kept.push(input.subarray(p, p + 2 + length));
    p += 2 + length;
  }
  return undefined;
}

/** @param {Buffer} input */
function stripPng(input) {
  /** @type {Buffer[]} */
  const kept = [input.subarray(0, 8)];
  let p = 8;
  while (p + 12 <= input.length) {
    const length = input.readUInt32BE(p);
    const type = input.toString('latin1', p + 4, p + 8);
    const end = p + 12 + length;
    if (end > input.length) return undefined;
    if (!DROP_PNG.has(type)) kept.push(input.subarray(p, end));
    p = end;
    if (type === 'IEND') return Buffer.concat(kept);
  }
  return undefined;
}
