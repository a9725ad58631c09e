import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { utf8Or } from '../../util/utf8.js';
import type { ContentSource, SourceEvent } from '../item.js';
import { decompressedName, expandCompressed, type StreamCodec, type StreamHeader } from './compressed.js';
import { type Level, normaliseName, type Walk } from './walk.js';

const FEXTRA = 0x04;
const FNAME = 0x08;
/** Compressed bytes read to find the header's name and the first inflated block. */
const PEEK_BYTES = 4096;

/** What a gzip header says about the file it holds (RFC 1952). */
export type GzipHeader = StreamHeader;

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

/** The name of a single gzipped file: the outer name minus its gzip suffix (.tgz gives .tar). */
export const gunzippedName = (location: string): string => decompressedName(location, /\.tgz$/i, /\.(gz|gzip|z)$/i);

/** Gzip as a compressed stream (RFC 1952): named by its FNAME, peeked at by a sync flush of its head. */
const GZIP: StreamCodec = {
  id: 'gzip',
  decoder: () => createGunzip(),
  headBytes: PEEK_BYTES,
  header: parseGzipHeader,
  // A sync flush inflates what the head holds without needing the rest of the stream; deflate
  // tops out near 1032:1, so a bomb's head inflates to a few MiB at most.
  peek: (head) => gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }),
  memberName: gunzippedName,
};

/**
 * Opens a gzip file: a tar inside is walked as one archive (`x.tar.gz!/member`); anything else is a
 * single member named by the header's FNAME or the outer name minus `.gz`.
 */
export const expandGzip = (source: ContentSource, level: Level, walk: Walk): AsyncGenerator<SourceEvent> => expandCompressed(GZIP, source, level, walk);
