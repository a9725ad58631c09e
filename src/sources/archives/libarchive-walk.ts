import type { RandomAccessInput } from '../containers/format.js';
import type { SourceEvent } from '../item.js';
import { BufferContent, type MemberContent } from './content.js';
import { coverageEvent, limitCoverage } from './errors.js';
import { holdWhole } from './hold-whole.js';
import { type LibarchiveReader, openLibarchive, ShortReadError } from './libarchive.js';
import { OneShotContent } from './one-shot-content.js';
import { admit, type Level, memberLocation, normaliseName, reportFailure, type Walk } from './walk.js';

/** A member over maxMemberBufferBytes is read in slices of this size, while the walk is suspended at its yield. */
const SLICE_BYTES = 1024 * 1024;

const ENCRYPTED = /encrypt|passphrase|password|decryption/i;

/**
 * Yields the members of an archive libarchive reads (7z, rar): the whole archive is held in memory
 * (libarchive.js reads from memory), against maxBufferedArchiveBytes. Every member is read up to
 * its declared size and no further, so the ratio and byte limits are checked on declared sizes
 * before a byte is decoded; encrypted members and links are recorded, not read.
 */
export async function* expandLibarchive(id: string, input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const held = await holdWhole(input, level.location, walk, id);
  if ('kind' in held) return yield held;
  let reader: LibarchiveReader;
  try {
    reader = await openLibarchive(held.bytes);
  } catch (error) {
    held.release();
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  const { release, bytes } = held;
  const size = bytes.length;
  let declared = 0;
  let count = 0;
  try {
    for (let entry = reader.next(); entry; entry = reader.next()) {
      if (walk.stopped) return;
      if (++count > options.maxEntries) {
        return yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'further entries are not inspected');
      }
      const name = normaliseName(entry.name);
      const location = memberLocation(level, name);
      if (entry.type === 'directory') continue;
      if (entry.type === 'symlink') {
        yield coverageEvent({ location, reason: 'link-member', detail: `${id} symbolic link, not followed`, incomplete: false });
        continue;
      }
      if (entry.type !== 'file') {
        yield coverageEvent({ location, reason: 'special-file', detail: `${id} special member`, incomplete: false });
        continue;
      }
      if (entry.encrypted) {
        yield coverageEvent({ location, reason: 'encrypted', detail: `${id}: encrypted member, not inspected`, incomplete: true });
        continue;
      }
      declared += entry.size;
      if (declared > options.ratioCheckMinBytes && declared > size * options.maxCompressionRatio) {
        return yield limitCoverage(
          level.location,
          'maxCompressionRatio',
          options.maxCompressionRatio,
          `${declared} bytes declared from ${size} compressed bytes; the rest of the archive is not inspected`,
        );
      }
      const refused = admit(walk, location, entry.size);
      if (refused) return yield refused;
      let content: MemberContent;
      if (entry.size <= options.maxMemberBufferBytes) {
        try {
          content = new BufferContent(entry.size > 0 ? reader.read(entry.size) : Buffer.alloc(0));
        } catch (error) {
          yield failure(id, location, error);
          // A member that failed to decode leaves the stream where libarchive cannot go on reliably.
          return;
        }
      } else {
        content = new OneShotContent(slices(reader, entry.size), location, entry.size, options.maxMemberBufferBytes);
      }
      yield* walk.member(level, { name, size: entry.size, content });
    }
    const error = reader.error();
    if (error) yield failure(id, level.location, new Error(error));
  } finally {
    reader.close();
    release();
  }
}

/** Reads a large member slice by slice, as the consumer pulls. */
async function* slices(reader: LibarchiveReader, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < size; at += SLICE_BYTES) yield reader.read(Math.min(SLICE_BYTES, size - at));
}

/** libarchive's messages, with encryption told apart from damage. */
function failure(id: string, location: string, error: unknown): SourceEvent {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ShortReadError)
    return coverageEvent({ location, reason: 'corrupt-archive', detail: `${id}: truncated member: ${message}`, incomplete: true });
  if (ENCRYPTED.test(message)) return coverageEvent({ location, reason: 'encrypted', detail: `${id}: ${message}; not inspected`, incomplete: true });
  return coverageEvent({ location, reason: 'corrupt-archive', detail: `${id}: ${message}`, incomplete: true });
}
