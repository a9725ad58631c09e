import { limitCoverage } from '../archives/errors.js';
import { type Level, memberLocation, reportFailure, type Walk } from '../archives/walk.js';
import type { ContentSource, SourceEvent } from '../item.js';
import type { StreamContainer } from './format.js';
import { mailFormat } from './mail-magic.js';
import { expandMessage } from './mail-message.js';
import { splitMbox } from './mbox-split.js';

/**
 * An mbox mailbox (mboxo, mboxrd: what Thunderbird, mutt and Google Takeout write), read in one pass:
 * message N is opened as a nested e-mail named `msg-N` (`inbox.mbox!/msg-12!/photo.jpg`), so its text,
 * HTML and attachments are members. A message is held in memory only while it is parsed, up to
 * maxMemberBufferBytes; a larger one is reported, not inspected.
 */
export const mboxFormat: StreamContainer<'application/mbox'> = {
  id: 'mbox',
  media: 'application/mbox',
  magic: (h) => mailFormat(h) === 'application/mbox',
  randomAccess: false,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted'],
  open: (content, level, walk) => expandMbox(content, level, walk),
};

async function* expandMbox(content: ContentSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const stream = content.stream();
  let n = 0;
  try {
    for await (const message of splitMbox(stream, options.maxMemberBufferBytes)) {
      if (walk.stopped) break;
      if (++n > options.maxEntries) {
        yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'further messages are not inspected');
        break;
      }
      const location = memberLocation(level, `msg-${n}`);
      if (level.depth >= options.maxDepth) {
        yield limitCoverage(location, 'maxDepth', options.maxDepth, 'message not opened');
        continue;
      }
      if (!message.bytes) {
        yield limitCoverage(location, 'maxMemberBufferBytes', options.maxMemberBufferBytes, `message of ${message.size} bytes not opened`);
        continue;
      }
      const child: Level = { location, chain: [...level.chain, location], depth: level.depth + 1 };
      walk.buffered += message.bytes.length;
      try {
        yield* expandMessage(message.bytes, child, walk);
      } finally {
        walk.buffered -= message.bytes.length;
      }
    }
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
  } finally {
    stream.destroy();
  }
}
