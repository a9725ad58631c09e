import { expandTar } from '../archives/tar.js';
import type { StreamContainer } from './format.js';
import { ascii } from './magic.js';

/** A POSIX (ustar) or GNU tar, read in one pass; links and special members are noted, not followed. */
export const tarFormat: StreamContainer<'application/x-tar'> = {
  id: 'tar',
  media: 'application/x-tar',
  magic: (head) => ascii(head, 257, 'ustar'),
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'link-member', 'special-file'],
  open: (content, level, walk) => expandTar(content.stream(), level, walk),
};
