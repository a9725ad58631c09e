import type { Readable } from 'node:stream';
import { TAIL_BYTES } from './zip-layout.js';

/**
 * The last 64 KiB (where a zip's end record can be) of bytes streaming past, in constant memory: the
 * chunks themselves are kept, not copied, and dropped once later ones cover the window.
 */
export class TailRing {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes seen in all. */
  total = 0;

  /** `chunk`, or its end when `length` says how long the whole chunk was (the rest cannot be in the tail). */
  push(chunk: Buffer, length = chunk.length): void {
    this.total += length;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.chunks.length > 1 && this.kept - this.chunks[0]!.length >= TAIL_BYTES) this.kept -= this.chunks.shift()!.length;
  }

  /** A copy of the last bytes (a slice would keep a large chunk alive). */
  tail(): Buffer {
    const joined = Buffer.concat(this.chunks, this.kept);
    return Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
  }
}

/** Streams `stream` to its end and returns its last 64 KiB, or `undefined` when it was not `size` bytes long. */
export async function streamTail(stream: Readable, size: number): Promise<Buffer | undefined> {
  const ring = new TailRing();
  for await (const chunk of stream as AsyncIterable<Buffer>) ring.push(chunk);
  return ring.total === size ? ring.tail() : undefined;
}
