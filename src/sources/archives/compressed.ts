import { type Duplex, pipeline, type Readable } from 'node:stream';
import type { ContentSource, SourceEvent } from '../item.js';
import { BufferContent, type MemberContent, ReopenableContent, readAtLeast } from './content.js';
import { declaredSizeGuard, guardedDecode, type InflateLimits } from './guards.js';
import type { ResolvedArchiveOptions } from './options.js';
import { expandTar } from './tar.js';
import { admit, type Level, reportFailure, type Walk } from './walk.js';

const TAR_BLOCK = 512;

/** What a compressed stream's header says about the file it holds. */
export interface StreamHeader {
  name?: string;
  mtime?: Date;
}

/**
 * A single-stream compression format (gzip, bzip2): one file inside, or a tar. The walk is the same
 * for all of them (expandCompressed); a codec says only how its bytes are decoded and named.
 */
export interface StreamCodec {
  /** Its name in limit details (`gzip stream inflates past ...`). */
  id: string;
  /**
   * A fresh decoder, unguarded: expandCompressed counts its output against the limits. `options` bound
   * what the decoder itself may allocate (xz: its dictionary, against maxBufferedArchiveBytes).
   */
  decoder(options: ResolvedArchiveOptions, location: string): Duplex;
  /** Compressed bytes read up front for `header` and `peek`. */
  headBytes: number;
  /** The name and date the stream's header records, if its format has a header. */
  header?(head: Buffer): StreamHeader;
  /**
   * The first decoded bytes, from the compressed head alone, when the format allows it cheaply (gzip:
   * a sync flush). Without it they are read from a decoding stream that stops once it has them.
   */
  peek?(head: Buffer): Buffer;
  /** The member's name when the header gives none: the outer name without its suffix. */
  memberName(location: string): string;
}

/** A tar header block: the ustar magic, or (old v7 tars) a valid header checksum. */
export function looksLikeTar(block: Buffer): boolean {
  if (block.length < TAR_BLOCK) return false;
  if (block.toString('latin1', 257, 262) === 'ustar') return true;
  if (block[0] === 0) return false;
  const stored = Number.parseInt(block.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === stored;
}

const ignore = (): void => undefined;

/**
 * Opens a compressed stream: a tar inside is walked as one archive (`x.tar.gz!/member`); anything
 * else is a single member named by the header or by the outer name without its suffix. Every decode
 * is guarded by the ratio and byte limits, counted on the actual bytes (these formats declare no
 * usable size up front).
 */
export async function* expandCompressed(codec: StreamCodec, source: ContentSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const decode = (input: Readable, limits: InflateLimits, onViolation: (error: Error) => void): Readable =>
    guardedDecode(input, level.location, limits, onViolation, codec.decoder(walk.options, level.location), codec.id);
  const remaining = (): InflateLimits => ({ ...walk.options, maxBytes: walk.options.maxTotalBytes - walk.used });
  let header: StreamHeader;
  let tar: boolean;
  try {
    // A codec that neither parses a header nor peeks reads no head (bzip2: one open less per stream).
    const head = codec.header || codec.peek ? await source.head(codec.headBytes) : Buffer.alloc(0);
    header = codec.header?.(head) ?? {};
    const first = codec.peek ? codec.peek(head) : await readAtLeast(decode(source.stream(), remaining(), ignore), TAR_BLOCK);
    tar = looksLikeTar(first.subarray(0, TAR_BLOCK));
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  if (tar) {
    const { options } = walk;
    yield* expandTar(source.stream(), level, walk, (raw) => decode(raw, { ...options, maxBytes: options.maxTotalBytes }, ignore));
    return;
  }
  const name = header.name ?? codec.memberName(level.location);
  // One counting pass: the size is not declared up front, and Item.size must be exact.
  const cap = walk.options.maxMemberBufferBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of decode(source.stream(), remaining(), ignore) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= cap) chunks.push(chunk);
      else chunks.length = 0;
    }
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  const refused = admit(walk, level.location, size);
  if (refused) {
    yield refused;
    return;
  }
  let content: MemberContent;
  if (size <= cap) {
    content = new BufferContent(Buffer.concat(chunks, size));
  } else {
    // Re-reads decode again; the counted size is now their exact bound.
    const bounded: InflateLimits = { ...walk.options, maxBytes: size };
    const reopenable: ReopenableContent = new ReopenableContent(
      () => {
        const decoded = decode(source.stream(), bounded, reopenable.noteViolation);
        return Promise.resolve(pipeline(decoded, declaredSizeGuard(level.location, size, reopenable.noteViolation), ignore));
      },
      size,
      cap,
    );
    content = reopenable;
  }
  yield* walk.member(level, { name, size, ...(header.mtime ? { mtime: header.mtime } : {}), content });
}

/**
 * The name of a single compressed file's one member, as gunzip and bunzip2 name it: the outer name
 * without its `suffix`, a tar shorthand (`.tgz`, `.tbz2`) giving `.tar`; the whole name when nothing
 * would be left.
 */
export function decompressedName(location: string, tarShorthand: RegExp, suffix: RegExp): string {
  const base = location.slice(Math.max(location.lastIndexOf('/'), location.lastIndexOf('!')) + 1);
  if (tarShorthand.test(base)) return base.replace(tarShorthand, '.tar');
  const stripped = base.replace(suffix, '');
  return stripped === '' ? base : stripped;
}
