import { expandZip } from '../archives/zip.js';
import type { RandomAccessContainer } from './format.js';
import { startsWith } from './magic.js';

/**
 * Zip, and the formats built on it, which are zips by their magic and opened as such: their parts
 * (embedded pictures of a .docx, a .odt's Pictures/) are members like any other. Its central
 * directory is at the end, so it needs random access: by path when the walk has one, else in memory.
 */
export const zipFormat: RandomAccessContainer<'application/zip'> = {
  id: 'zip',
  media: 'application/zip',
  covers: 'Office Open XML (.docx, .xlsx, .pptx), OpenDocument (.odt, .ods, .odp), EPUB, JAR/APK',
  // A local file header, or the end record of an empty zip.
  magic: (head) => startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted', 'unsupported-compression', 'link-member'],
  open: (input, level, walk) => expandZip(input, level, walk),
};
