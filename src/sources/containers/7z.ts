import { expandLibarchive } from '../archives/libarchive-walk.js';
import type { RandomAccessContainer } from './format.js';
import { startsWith } from './magic.js';

/**
 * A 7-Zip archive (LZMA, LZMA2, PPMd, BZip2, Deflate, stored; solid or not), read by libarchive
 * compiled to WebAssembly (libarchive.js). Its header is at the end and solid blocks are decoded in
 * order, so the whole archive is held in memory, against maxBufferedArchiveBytes. Members encrypted
 * with AES (or an encrypted header) are recorded as not inspected.
 */
export const sevenZipFormat: RandomAccessContainer<'application/x-7z-compressed'> = {
  id: '7z',
  media: 'application/x-7z-compressed',
  magic: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted', 'link-member'],
  open: (input, level, walk) => expandLibarchive('7z', input, level, walk),
};
