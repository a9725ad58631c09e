import { holdWhole } from '../archives/hold-whole.js';
import type { Level, Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessContainer, RandomAccessInput } from './format.js';
import { mailFormat } from './mail-magic.js';
import { expandMessage } from './mail-message.js';

/**
 * An e-mail message (.eml, RFC 5322 with MIME): its text, HTML and every attachment or inline part
 * are members, decoded by postal-mime; forwarded messages are opened as nested messages. postal-mime
 * parses a message whole, in memory, so the walk hands it the file's path (held by holdWhole, within
 * the limits below) or the bytes it already holds.
 */
export const emailFormat: RandomAccessContainer<'message/rfc822'> = {
  id: 'email',
  media: 'message/rfc822',
  magic: (h) => mailFormat(h) === 'message/rfc822',
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted'],
  open: (input, level, walk) => openMessage(input, level, walk),
};

/**
 * postal-mime's peak memory is about six times the message (406 MB for a 68 MB message holding a
 * 50 MB attachment, scripts/bench/mail.js), so a message is parsed only up to maxMemberBufferBytes,
 * as an mbox message is, and within maxBufferedArchiveBytes with whatever the walk already holds.
 */
async function* openMessage(input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const held = await holdWhole(input, level.location, walk, 'email', { withinMemberBuffer: true });
  if ('kind' in held) return yield held;
  try {
    yield* expandMessage(held.bytes, level, walk);
  } finally {
    held.release();
  }
}
