import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../src/util/canonical-json.js';
import type { Footer } from './reseal.js';

const TRAILER = 56;
const pad = (n: number) => (8 - (n % 8)) % 8;

/**
 * The last segment of a store of several segments as a hostile writer would craft it: footer edited
 * by `edit`, then its chained digest (previous digest, the segment's bytes, the footer), checksum
 * and trailer recomputed, so that only the reader's checks across segments stand.
 */
export function resealLastSegment(bytes: Buffer, edit: (footer: Footer & { previous: { offset: number; length: number } }) => void): Buffer {
  const trailer = bytes.subarray(bytes.length - TRAILER);
  const offset = Number(trailer.readBigUInt64LE(0));
  const footer = JSON.parse(bytes.subarray(offset, offset + trailer.readUInt32LE(8)).toString('utf8'));
  const { offset: before, length } = footer.previous;
  const previous = JSON.parse(bytes.subarray(before, before + length).toString('utf8')) as { digest: string };
  const start = before + length + pad(length) + TRAILER;
  edit(footer);
  const { createdAt: _c, digest: _d, ...content } = footer;
  footer.digest = `sha256:${createHash('sha256')
    .update(Buffer.from(previous.digest.slice(7), 'hex'))
    .update(bytes.subarray(start, offset))
    .update(canonicalJson(content))
    .digest('hex')}`;
  const text = Buffer.from(canonicalJson(footer));
  const padded = Buffer.concat([text, Buffer.alloc(pad(text.length))]);
  const next = Buffer.from(trailer);
  next.writeUInt32LE(text.length, 8);
  createHash('sha256').update(padded).digest().copy(next, 16);
  return Buffer.concat([bytes.subarray(0, offset), padded, next]);
}
