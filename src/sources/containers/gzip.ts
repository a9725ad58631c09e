import { expandGzip } from '../archives/gzip.js';
import type { StreamContainer } from './format.js';
import { startsWith } from './magic.js';

/**
 * A gzip stream: a tar inside is walked as one archive (`x.tar.gz!/member`), anything else is one
 * member. Its ratio is measured on the actual bytes (gzip declares no usable size up front).
 */
export const gzipFormat: StreamContainer<'application/gzip'> = {
  id: 'gzip',
  media: 'application/gzip',
  magic: (head) => startsWith(head, [0x1f, 0x8b]),
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandGzip(content, level, walk),
};
