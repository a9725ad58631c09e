import { embeddedMembers } from '../containers/base64.js';
import type { ContainerFormat } from '../containers/format.js';
import { containerFormat } from '../containers/registry.js';
import type { ContentSource, Item, SourceEvent } from '../item.js';
import { type MediaType, SNIFF_BYTES, sniff } from '../sniff.js';
import { findAppendedZip, mayCarryZip, zipAtEnd } from './appended.js';
import { BufferContent, type MemberContent } from './content.js';
import { coverageEvent, limitCoverage } from './errors.js';
import { OneShotContent } from './one-shot-content.js';
import { type ArchiveOptions, resolveArchiveOptions } from './options.js';
import { type Level, type MemberInfo, memberLocation, reportFailure, type Walk } from './walk.js';
import { expandZip } from './zip.js';
import { TAIL_BYTES } from './zip-layout.js';

/** True for the media types `expandArchive` opens, or looks at for a zip appended to them. */
export const isArchive = (media: MediaType): boolean => containerFormat(media) !== undefined || mayCarryZip(media);

/**
 * Yields every member of a container custody opens (src/sources/containers/registry.ts: zip with
 * Office/OpenDocument files, tar, gzip, bzip2) as an item with origin 'archive', located
 * `${item.location}!/${member}`, and opens nested containers up to `maxDepth` (each nested one is
 * yielded too, before its members). Nothing is written to disk.
 *
 * The consumer must finish with each yielded item before calling `next()`: members of streamed
 * archives are readable only while the walk is suspended at their `yield`. Limits, encrypted or
 * corrupt entries and links become coverage events; the walk then carries on where it can.
 */
export async function* expandArchive(item: Item, media: MediaType, options: ArchiveOptions = {}): AsyncGenerator<SourceEvent> {
  const format = containerFormat(media);
  if (!format && !mayCarryZip(media)) return;
  const walk: Walk = {
    options: resolveArchiveOptions(options),
    used: 0,
    buffered: 0,
    stopped: false,
    reported: new Set(),
    member: (at, info) => yieldMember(walk, at, info),
  };
  const level: Level = { location: item.location, chain: [...(item.archiveChain ?? []), item.location], depth: 1 };
  if (!format) {
    if (!item.content || walk.options.maxDepth < 1) return;
    yield* openAppended({ content: item.content, size: item.size, path: walk.options.filePath }, level, walk);
    if (media === 'text/plain' && !walk.stopped) yield* embeddedMembers({ content: item.content, size: item.size }, level, walk);
    return;
  }
  if (walk.options.maxDepth < 1) {
    yield limitCoverage(item.location, 'maxDepth', walk.options.maxDepth, 'archive not opened');
    return;
  }
  if (!item.content) {
    yield coverageEvent({ location: item.location, reason: 'unreadable', detail: 'archive content not available', incomplete: true });
    return;
  }
  yield* openContainer(format, { content: item.content, size: item.size, path: walk.options.filePath }, level, walk);
}

interface ArchiveSource {
  content: ContentSource;
  size: number;
  /** On-disk path, for formats that need random access (zip). */
  path?: string | undefined;
}

/**
 * Opens one container with its format's reader. A format that needs random access gets the file's
 * path when the walk has one, else its bytes in memory, held against maxBufferedArchiveBytes.
 */
async function* openContainer(format: ContainerFormat, source: ArchiveSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  if (!format.randomAccess) return yield* format.open(source.content, level, walk);
  if (source.path) return yield* format.open({ path: source.path }, level, walk);
  // A member's (inflated) bytes offer random access only once in memory. A BufferContent was
  // counted against the budget when it was buffered (see yieldMember).
  if (source.content instanceof BufferContent) return yield* format.open({ buffer: source.content.buffer }, level, walk);
  // The budget is for nesting; a top-level container given without a path is checked against it alone.
  const held = level.depth > 1 ? source.size : 0;
  const refused = holdBuffer(walk, level.location, source.size, format.id);
  if (refused) return yield refused;
  walk.buffered -= source.size - held;
  try {
    let buffer: Buffer;
    try {
      buffer = await source.content.readAll();
    } catch (error) {
      const event = reportFailure(walk, level.location, error);
      if (event) yield event;
      return;
    }
    yield* format.open({ buffer }, level, walk);
  } finally {
    walk.buffered -= held;
  }
}

/** Counts `size` more buffered archive bytes, or says why the archive is not opened. */
function holdBuffer(walk: Walk, location: string, size: number, what: string): SourceEvent | undefined {
  const cap = walk.options.maxBufferedArchiveBytes;
  if (walk.buffered + size <= cap) {
    walk.buffered += size;
    return undefined;
  }
  const held = walk.buffered > 0 ? ` (${walk.buffered} bytes of enclosing archives already held)` : '';
  return limitCoverage(location, 'maxBufferedArchiveBytes', cap, `${what} of ${size} bytes not opened${held}`);
}

/** Opens the zip appended to a file or member, if there is one; anything else yields nothing. */
async function* openAppended(source: ArchiveSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let found;
  try {
    found = await findAppendedZip(source, walk.options.maxMemberBufferBytes);
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  if (!found) return;
  if ('unopened' in found) {
    return yield found.limit
      ? limitCoverage(level.location, 'maxMemberBufferBytes', walk.options.maxMemberBufferBytes, found.unopened)
      : coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: found.unopened, incomplete: true });
  }
  if (found.buffer) yield* expandZip({ buffer: found.buffer, shift: found.shift }, level, walk);
  else if (source.path) yield* expandZip({ path: source.path, shift: found.shift }, level, walk);
}

/** Sniffs one member, yields it, reports what reading it met, and opens it if it is an archive. */
async function* yieldMember(walk: Walk, level: Level, info: MemberInfo): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const location = memberLocation(level, info.name);
  let content: MemberContent = info.content;
  let held = 0;
  try {
    let nested: ContainerFormat | undefined;
    let media: MediaType | undefined;
    const notes: SourceEvent[] = [];
    try {
      media = sniff(await content.head(SNIFF_BYTES));
      nested = containerFormat(media);
      if (nested && level.depth >= options.maxDepth) {
        notes.push(limitCoverage(location, 'maxDepth', options.maxDepth, 'nested archive not opened'));
        nested = undefined;
      } else if (nested && content instanceof OneShotContent) {
        // A streamed member is gone once the consumer is done: hold a nested archive to open it after.
        const refused = holdBuffer(walk, location, info.size, 'nested archive');
        if (refused) {
          notes.push(refused);
          nested = undefined;
        } else {
          held = info.size;
          content = new BufferContent(await content.bufferAll());
        }
      }
    } catch (error) {
      const event = reportFailure(walk, location, error);
      if (event) yield event;
      return;
    }
    // A streamed member too large to hold cannot be opened as a zip afterwards; its tail is kept as it
    // passes, so a zip appended to it is at least reported (large videos without one cost nothing).
    const carrier = !nested && media !== undefined && mayCarryZip(media) && level.depth < options.maxDepth;
    if (carrier && content instanceof OneShotContent && info.size > options.maxMemberBufferBytes) content.keepTail();
    const item: Item = {
      location,
      origin: 'archive',
      size: info.size,
      ...(info.mtime ? { mtime: info.mtime } : {}),
      ...(info.mode !== undefined ? { mode: info.mode } : {}),
      archiveChain: level.chain,
      content,
    };
    yield { kind: 'item', item };
    yield* notes;
    // A streamed member that may carry an appended zip is kept whole (it was buffered anyway if the
    // detectors read it) so its tail can be looked at once the archive has moved on.
    let unheld: Buffer | undefined;
    if (carrier && content instanceof OneShotContent && info.size <= options.maxMemberBufferBytes && !content.violation) {
      try {
        const whole = await content.readAll();
        if (!holdBuffer(walk, location, whole.length, 'member')) {
          held += whole.length;
          content = new BufferContent(whole);
        } else unheld = whole.subarray(Math.max(0, whole.length - TAIL_BYTES));
      } catch {
        // The failure is kept in the member's violation and reported below.
      }
    }
    // A streamed member must be drained now for the archive to move on; a re-openable one keeps its
    // cached bytes until the nested walk below has used them.
    if (!info.content.repeatable) await info.content.finish();
    const violation = info.content.violation ?? content.violation;
    if (violation) {
      const event = reportFailure(walk, location, violation);
      if (event) yield event;
      return;
    }
    const tail = unheld ?? (carrier && content instanceof OneShotContent ? content.tail : undefined);
    if (tail && zipAtEnd(tail, info.size)) {
      const [limit, cap] = unheld ? ['maxBufferedArchiveBytes', options.maxBufferedArchiveBytes] : ['maxMemberBufferBytes', options.maxMemberBufferBytes];
      yield limitCoverage(location, limit, cap, `a zip is appended to this ${info.size}-byte member, which cannot be held to open it: not opened`);
    }
    const child: Level = { location, chain: [...level.chain, location], depth: level.depth + 1 };
    if (nested && !walk.stopped) {
      yield* openContainer(nested, { content, size: info.size }, child, walk);
    } else if (carrier && content.repeatable && !walk.stopped) {
      // A member's bytes are looked at again only while they are still held (zip members, buffers).
      yield* openAppended({ content, size: info.size }, child, walk);
      if (media === 'text/plain' && !walk.stopped) yield* embeddedMembers({ content, size: info.size }, child, walk);
    }
  } finally {
    walk.buffered -= held;
    // Drops cached bytes. No drain here: when the drain above was skipped, the consumer has
    // abandoned the walk and the archive stream is about to be destroyed.
    await info.content.finish(false);
    await content.finish(false);
  }
}
