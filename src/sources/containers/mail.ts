import { open } from 'node:fs/promises';
import { openReadOnly } from '../../util/open-read-only.js';
import { limitCoverage } from '../archives/errors.js';
import { type Level, reportFailure, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessContainer, RandomAccessInput } from './format.js';
import { mailFormat } from './mail-magic.js';
import { expandMessage } from './mail-message.js';

/**
 * An e-mail message (.eml, RFC 5322 with MIME): its text, HTML and every attachment or inline part
 * are members, decoded by postal-mime; forwarded messages are opened as nested messages. postal-mime
 * parses a message whole, in memory, so the walk hands it the file's path (read here, within the
 * limits below) or the bytes it already holds.
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
  const cap = walk.options.maxMemberBufferBytes;
  if ('buffer' in input) {
    if (input.buffer.length > cap) return yield limitCoverage(level.location, 'maxMemberBufferBytes', cap, `email of ${input.buffer.length} bytes not opened`);
    return yield* expandMessage(input.buffer, level, walk);
  }
  const held = walk.options.maxBufferedArchiveBytes;
  let bytes: Buffer | undefined;
  try {
    // The path is a descriptor the walk opened and checked (see archives-on-disk.ts): it may be followed.
    const handle = await openReadOnly((flags) => open(input.path, flags), true);
    try {
      const { size } = await handle.stat();
      if (size > cap) return yield limitCoverage(level.location, 'maxMemberBufferBytes', cap, `email of ${size} bytes not opened`);
      if (walk.buffered + size > held) return yield limitCoverage(level.location, 'maxBufferedArchiveBytes', held, `email of ${size} bytes not opened`);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  walk.buffered += bytes.length;
  try {
    yield* expandMessage(bytes, level, walk);
  } finally {
    walk.buffered -= bytes.length;
  }
}
