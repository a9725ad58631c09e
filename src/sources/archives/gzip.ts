import { pipeline, type Readable } from 'node:stream';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { utf8Or } from '../../util/utf8.js';
import type { ContentSource, SourceEvent } from '../item.js';
import { BufferContent, type MemberContent, ReopenableContent } from './content.js';
import { declaredSizeGuard, guardedGunzip, type InflateLimits } from './guards.js';
import { expandTar } from './tar.js';
import { admit, type Level, normaliseName, reportFailure, type Walk } from './walk.js';

const FEXTRA = 0x04;
const FNAME = 0x08;
const TAR_BLOCK = 512;
/** Compressed bytes read to find the header's name and the first inflated block. */
const PEEK_BYTES = 4096;

/** What a gzip header says about the file it holds (RFC 1952). */
export interface GzipHeader {
  name?: string;
  mtime?: Date;
}

export function parseGzipHeader(head: Buffer): GzipHeader {
  if (head.length < 10 || head[0] !== 0x1f || head[1] !== 0x8b) return {};
  const flags = head[3] ?? 0;
  const seconds = head.readUInt32LE(4);
  const header: GzipHeader = seconds > 0 ? { mtime: new Date(seconds * 1000) } : {};
  let offset = 10;
  if (flags & FEXTRA) offset += 2 + (head.length >= 12 ? head.readUInt16LE(10) : 0);
  if (flags & FNAME) {
    const end = head.indexOf(0, offset);
    // A name cut off by the head's end is not trusted.
    if (end > offset) header.name = normaliseName(decodeName(head.subarray(offset, end)));
  }
  return header;
}

/** FNAME bytes as text: RFC 1952 says Latin-1, but valid UTF-8 is what gzip stores today (names.ts). */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function decodeName(bytes: Uint8Array): string {
  return utf8Or(bytes, latin1);
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

/** The name of a single gzipped file: the outer name minus its gzip suffix (.tgz gives .tar). */
export function gunzippedName(location: string): string {
  const base = location.slice(Math.max(location.lastIndexOf('/'), location.lastIndexOf('!')) + 1);
  if (/\.tgz$/i.test(base)) return `${base.slice(0, -4)}.tar`;
  const stripped = base.replace(/\.(gz|gzip|z)$/i, '');
  return stripped === '' ? base : stripped;
}

/**
 * Opens a gzip file: a tar inside is walked as one archive (`x.tar.gz!/member`); anything else is a
 * single member named by the header's FNAME or the outer name minus `.gz`.
 */
export async function* expandGzip(source: ContentSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const limits = (): InflateLimits => ({ ...walk.options, maxBytes: walk.options.maxTotalBytes - walk.used });
  const gunzip = (onViolation: (error: Error) => void = () => undefined): Readable => guardedGunzip(source.stream(), level.location, limits(), onViolation);
  let header: GzipHeader;
  let tar: boolean;
  try {
    const head = await source.head(PEEK_BYTES);
    header = parseGzipHeader(head);
    // A sync flush inflates what the head holds without needing the rest of the stream; deflate
    // tops out near 1032:1, so a bomb's head inflates to a few MiB at most.
    tar = looksLikeTar(gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, TAR_BLOCK));
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  if (tar) {
    const { options } = walk;
    yield* expandTar(source.stream(), level, walk, (raw) =>
      guardedGunzip(raw, level.location, { ...options, maxBytes: options.maxTotalBytes }, () => undefined),
    );
    return;
  }
  const name = header.name ?? gunzippedName(level.location);
  // One counting pass: gzip does not declare its size up front, and Item.size must be exact.
  const cap = walk.options.maxMemberBufferBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of gunzip() as AsyncIterable<Buffer>) {
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
    // Re-reads inflate again; the counted size is now their exact bound.
    const bounded: InflateLimits = { ...walk.options, maxBytes: size };
    const reopenable: ReopenableContent = new ReopenableContent(
      () => {
        const inflated = guardedGunzip(source.stream(), level.location, bounded, reopenable.noteViolation);
        return Promise.resolve(pipeline(inflated, declaredSizeGuard(level.location, size, reopenable.noteViolation), () => undefined));
      },
      size,
      cap,
    );
    content = reopenable;
  }
  yield* walk.member(level, { name, size, ...(header.mtime ? { mtime: header.mtime } : {}), content });
}
