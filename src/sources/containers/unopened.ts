import { isText } from '../text-encoding.js';
import type { UnopenedFormat, UnopenedReason } from './format.js';
import { ascii, DEEP_SNIFF_BYTES, startsWith } from './magic.js';
import { binaryCpio } from './unopened-magic.js';

type Magic = UnopenedFormat['magic'];

const unopened = <const M extends string>(media: M, reason: UnopenedReason, id: string, what: string, magic: Magic): UnopenedFormat<M> => ({
  id,
  media,
  reason,
  what,
  ...(magic ? { magic } : {}),
});
const archive = <const M extends string>(media: M, id: string, magic: Magic, what = 'its members are not inspected') =>
  unopened(media, 'unsupported-archive', id, what, magic);
const stream = <const M extends string>(media: M, id: string, extension: string, magic: Magic) =>
  archive(media, id, magic, `compressed stream (e.g. .tar.${extension}), not decompressed`);
const doc = <const M extends string>(media: M, id: string, what: string, magic: Magic) => unopened(media, 'unsupported-document', id, what, magic);
const database = <const M extends string>(media: M, id: string, what: string, magic: Magic) => unopened(media, 'unsupported-database', id, what, magic);
const av = <const M extends string>(type: M, id: string, magic: Magic, what = 'its frames and embedded pictures are not inspected') =>
  unopened(type, 'unsupported-media', id, what, magic);

/**
 * Formats custody recognises by their magic numbers but does not open, in the order `sniff` tries
 * them (after the containers it opens), most specific first. Weak (short or ASCII) magics also require
 * a binary head, so that a text file that happens to start with them stays text.
 */
export const UNOPENED_FORMATS = [
  stream('application/x-lz4', 'lz4', 'lz4', (h) => startsWith(h, [0x04, 0x22, 0x4d, 0x18])),
  stream('application/x-lzip', 'lzip', 'lz', (h) => ascii(h, 0, 'LZIP') && h[4] === 1),
  // compress(1): a two-byte magic needs its flags byte too (9-16 bits, reserved bits clear), or one
  // random file in 65,536 would read as unopenable and make an audit incomplete.
  stream(
    'application/x-compress',
    'Z',
    'Z',
    (h) => startsWith(h, [0x1f, 0x9d]) && h.length > 2 && (h[2]! & 0x60) === 0 && (h[2]! & 0x1f) >= 9 && (h[2]! & 0x1f) <= 16,
  ),
  archive('application/vnd.ms-cab-compressed', 'cab', (h) => ascii(h, 0, 'MSCF') && startsWith(h, [0, 0, 0, 0], 4)),
  archive('application/x-archive', 'ar', (h) => ascii(h, 0, '!<arch>\n'), "its members (e.g. a .deb's data.tar) are not inspected"),
  archive('application/x-cpio', 'cpio', (h) => binaryCpio(h) || (/^07070[127]/.test(h.toString('latin1', 0, 6)) && h.includes(0))),
  archive('application/x-xar', 'xar', (h) => ascii(h, 0, 'xar!')),
  // A pack needs its repository (deltas name their bases, possibly in other packs): one met outside a
  // repository custody audits through git (an archived .git directory) is recorded, not skipped.
  archive(
    'application/x-git-pack',
    'git-pack',
    (h) => ascii(h, 0, 'PACK') && startsWith(h, [0, 0, 0], 4) && (h[7] === 2 || h[7] === 3),
    'its objects are not inspected: extract the repository and audit it with --git',
  ),
  archive(
    'application/x-iso9660-image',
    'iso9660',
    (h) => h.length >= DEEP_SNIFF_BYTES && ascii(h, 32769, 'CD001'),
    'the files of the disc image are not inspected',
  ),
  doc('text/rtf', 'rtf', 'scanned as text only: embedded pictures are not decoded', (h) => ascii(h, 0, '{\\rtf')),
  database('application/x-orc', 'orc', 'its columns are not inspected', (h) => ascii(h, 0, 'ORC') && !isText(h)),
  database('application/avro', 'avro', 'its records are not inspected', (h) => ascii(h, 0, 'Obj\x01')),
  database('application/vnd.apache.arrow.file', 'arrow', 'its columns are not inspected', (h) => ascii(h, 0, 'ARROW1\0\0')),
  av('audio/wav', 'wav', (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WAVE')),
  av('audio/ogg', 'ogg', (h) => ascii(h, 0, 'OggS\0')),
  av('audio/flac', 'flac', (h) => ascii(h, 0, 'fLaC')),
  av('audio/mpeg', 'mp3', (h) => ascii(h, 0, 'ID3') && h[3]! < 0x10 && !isText(h), 'its tags (which may hold pictures) and frames are not inspected'),
] as const;
