import { expandLibarchive } from '../archives/libarchive-walk.js';
import type { RandomAccessContainer } from './format.js';
import { ascii } from './magic.js';

/**
 * A RAR archive, version 4 or 5, read by libarchive compiled to WebAssembly (libarchive.js), held
 * in memory against maxBufferedArchiveBytes. Encrypted members (and archives whose headers are
 * encrypted) are recorded as not inspected; multi-volume sets are read as far as the volume given.
 */
export const rarFormat: RandomAccessContainer<'application/vnd.rar'> = {
  id: 'rar',
  media: 'application/vnd.rar',
  magic: (h) => ascii(h, 0, 'Rar!\x1a\x07'),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted', 'link-member'],
  open: (input, level, walk) => expandLibarchive('rar', input, level, walk),
};
