import { crc32 } from 'node:zlib';
import { utf8Or } from '../../util/utf8.js';

// IBM PC code page 437, as zip's APPNOTE (appendix D) and yauzl read it: one character per byte.
const CP437 =
  '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Bytes as CP437 text, one character per byte. */
export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += CP437[byte]!;
  return text;
}

/** Info-ZIP Unicode Path extra field: the name in UTF-8 beside a legacy one. */
export const UNICODE_PATH_FIELD = 0x7075;

/** One zip extra field (central or local), as yauzl lists them. */
export interface ZipExtraField {
  id: number;
  data: Buffer;
}

/**
 * A zip entry's name, the same for entries the central directory lists and for entries present only
 * as local headers: an Info-ZIP Unicode Path field whose CRC matches the raw name wins, then the UTF-8
 * flag; a name with neither is UTF-8 when it is valid UTF-8, else CP437 (util/utf8.ts says why: mojibake would hide a plate from redaction).
 * `\\` is read as `/`.
 */
export function zipEntryName(flags: number, raw: Buffer, extraFields: readonly ZipExtraField[]): string {
  // Windows tools write `\` between folders; unzip and yauzl read it as `/`.
  return decodeZipName(flags, raw, extraFields).replaceAll('\\', '/');
}

function decodeZipName(flags: number, raw: Buffer, extraFields: readonly ZipExtraField[]): string {
  for (const field of extraFields) {
    if (field.id !== UNICODE_PATH_FIELD || field.data.length < 6 || field.data[0] !== 1) continue;
    if (field.data.readUInt32LE(1) === crc32(raw)) return field.data.subarray(5).toString('utf8');
  }
  if ((flags & 0x800) !== 0) return raw.toString('utf8');
  return utf8Or(raw, decodeCp437);
}

/** The extra fields of a local header (`bytes`: the extra field area); a truncated one ends the list. */
export function parseExtraFields(bytes: Buffer): ZipExtraField[] {
  const fields: ZipExtraField[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    const id = bytes.readUInt16LE(at);
    const length = bytes.readUInt16LE(at + 2);
    if (at + 4 + length > bytes.length) break;
    fields.push({ id, data: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return fields;
}
