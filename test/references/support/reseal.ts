import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../src/util/canonical-json.js';

const TRAILER = 56;

/** A store footer as a test edits it. */
export interface Footer {
  sections: Record<string, { offset: number; length: number }>;
  counts: { references: number };
  [key: string]: unknown;
}

/** The footer of a store's bytes, parsed. */
export function footerOf(bytes: Buffer): Footer {
  const trailer = bytes.subarray(bytes.length - TRAILER);
  const offset = Number(trailer.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(offset, offset + trailer.readUInt32LE(8)).toString('utf8'));
}

/**
 * A store as a hostile writer would craft it: sections edited by `editBody`, footer edited by
 * `editFooter`, then digest, footer checksum and trailer recomputed so that every checksum matches.
 * What is left to refuse it is the reader's own checks of bounds and values.
 */
export function reseal(bytes: Buffer, editFooter: (footer: Footer) => void, editBody: (body: Buffer) => void = () => {}): Buffer {
  const trailer = bytes.subarray(bytes.length - TRAILER);
  const offset = Number(trailer.readBigUInt64LE(0));
  const body = Buffer.from(bytes.subarray(0, offset));
  editBody(body);
  const footer = footerOf(bytes);
  editFooter(footer);
  const { createdAt: _c, digest: _d, ...content } = footer;
  footer.digest = `sha256:${createHash('sha256').update(body).update(canonicalJson(content)).digest('hex')}`;
  const text = Buffer.from(canonicalJson(footer));
  const padded = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8)]);
  const next = Buffer.from(trailer);
  next.writeUInt32LE(text.length, 8);
  createHash('sha256').update(padded).digest().copy(next, 16);
  return Buffer.concat([body, padded, next]);
}
