import { coverageEvent } from '../archives/errors.js';
import { holdWhole } from '../archives/hold-whole.js';
import type { Level, Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessContainer, RandomAccessInput } from './format.js';
import { startsWith } from './magic.js';
import { readCompound } from './msg-compound.js';
import { expandMsg } from './msg-message.js';

/** What is said of a compound document that is not a message, as when custody opened none of them. */
export const OLE2_NOT_READ = 'ole2: compound document (.doc, .xls, .ppt): its streams are not inspected';

/**
 * An OLE2 compound file. Its magic says nothing of what it holds, so every one is opened: an Outlook
 * message (.msg, told by its property streams, whatever its name) has its body and attachments read as
 * members (`mail.msg!/photo.jpg`, an embedded message `mail.msg!/Fwd.msg!/photo.jpg`); any other
 * (a legacy .doc, .xls, .ppt) is recorded as not inspected, as before. The reader wants the whole file
 * in memory (holdWhole), and rewrites it once more, so it is held to maxMemberBufferBytes as an e-mail is.
 */
export const ole2Format: RandomAccessContainer<'application/x-ole-storage'> = {
  id: 'ole2',
  media: 'application/x-ole-storage',
  magic: (h) => startsWith(h, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  covers: 'Outlook .msg',
  reasons: ['corrupt-archive', 'encrypted', 'unsupported-document'],
  open: (input, level, walk) => openCompound(input, level, walk),
};

async function* openCompound(input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const held = await holdWhole(input, level.location, walk, 'ole2', { withinMemberBuffer: true });
  if ('kind' in held) return yield held;
  try {
    const compound = await readCompound(held.bytes);
    if (compound.kind === 'other')
      return yield coverageEvent({ location: level.location, reason: 'unsupported-document', detail: OLE2_NOT_READ, incomplete: true });
    if (compound.kind === 'corrupt')
      return yield coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: `ole2: ${compound.detail}`, incomplete: true });
    // The streams are read as far as their sectors go: a member may be cut short, never padded. One
    // entry for them all, as for other repeated events: a crafted file may hold thousands.
    if (compound.short.length > 0)
      yield coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: shortStreams(compound.short), incomplete: true });
    yield* expandMsg(compound.clean, level, walk);
  } finally {
    held.release();
  }
}

/** Short streams named in a coverage entry's detail; the rest are counted. */
const NAMED_SHORT_STREAMS = 3;

/** One detail for every stream whose sectors end before its declared size: the count, and the first few. */
function shortStreams(short: readonly string[]): string {
  const named = short.slice(0, NAMED_SHORT_STREAMS).join(', ');
  const more = short.length > NAMED_SHORT_STREAMS ? `, and ${short.length - NAMED_SHORT_STREAMS} more` : '';
  if (short.length === 1) return `msg: 1 stream ends before its declared size; read as far as it goes: ${named}`;
  return `msg: ${short.length} streams end before their declared size; read as far as they go: ${named}${more}`;
}
