import { pipeline, Readable } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { errorCode } from '../../util/errors.js';
import type { SourceEvent } from '../item.js';
import { ReopenableContent, readAtLeast } from './content.js';
import { CorruptMemberError, coverageEvent, limitCoverage } from './errors.js';
import { declaredSizeGuard } from './guards.js';
import { admit, type Level, memberLocation, type Walk } from './walk.js';

// One zip member's bytes as content, whichever header described it (the central directory, or a
// local header the directory does not list): method, ratio and budget checks, then inflation.

/** Deflated members up to this size are inflated in one synchronous call. */
const SYNC_INFLATE_BYTES = 1024 * 1024;

/** What reading a member needs, whichever header described it. */
export interface ZipMember {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  mtime?: Date;
  mode?: number;
}

export async function* readMember(member: ZipMember, openRaw: () => Promise<Readable>, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { name, size } = member;
  const location = memberLocation(level, name);
  if (member.method !== 0 && member.method !== 8) {
    yield coverageEvent({ location, reason: 'unsupported-compression', detail: `zip compression method ${member.method}`, incomplete: true });
    return;
  }
  const { maxCompressionRatio, ratioCheckMinBytes, maxMemberBufferBytes } = walk.options;
  if (size > ratioCheckMinBytes && size > Math.max(member.compressedSize, 1) * maxCompressionRatio) {
    yield limitCoverage(
      location,
      'maxCompressionRatio',
      maxCompressionRatio,
      `declares ${size} bytes from ${member.compressedSize} compressed bytes; not read`,
    );
    return;
  }
  const refused = admit(walk, location, size);
  if (refused) {
    yield refused;
    return;
  }
  const deflated = member.method === 8;
  const open =
    deflated && size <= SYNC_INFLATE_BYTES
      ? async (): Promise<Readable> => Readable.from([await inflateSmall(await openRaw(), size, location, content.noteViolation)], { objectMode: false })
      : async (): Promise<Readable> => {
          const raw = await openRaw();
          const guard = declaredSizeGuard(location, size, content.noteViolation);
          return deflated ? pipeline(raw, createInflateRaw(), guard, () => undefined) : pipeline(raw, guard, () => undefined);
        };
  const content: ReopenableContent = new ReopenableContent(open, size, maxMemberBufferBytes);
  yield* walk.member(level, { name, size, ...(member.mtime ? { mtime: member.mtime } : {}), ...(member.mode ? { mode: member.mode } : {}), content });
}

/**
 * Inflates a small member in one synchronous call: a streaming inflate costs a thread-pool round
 * trip per chunk, which dominates for the many small members of office files and photo exports.
 * maxOutputLength bounds the work to the declared size, so a lying header still costs nothing.
 */
async function inflateSmall(raw: Readable, size: number, location: string, onViolation: (error: Error) => void): Promise<Buffer> {
  const compressed = await readAtLeast(raw, Number.POSITIVE_INFINITY);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(compressed, { maxOutputLength: Math.max(size, 1) });
  } catch (error) {
    const tooLarge = errorCode(error) === 'ERR_BUFFER_TOO_LARGE';
    const failure = tooLarge
      ? new CorruptMemberError(location, `member inflates past its declared size of ${size} bytes (lying header, possible zip bomb); not inspected further`)
      : (error as Error);
    onViolation(failure);
    throw failure;
  }
  if (inflated.length !== size) {
    const failure = new CorruptMemberError(location, `member truncated: ${inflated.length} of ${size} declared bytes`);
    onViolation(failure);
    throw failure;
  }
  return inflated;
}
