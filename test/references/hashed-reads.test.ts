import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashedReads } from '../../src/references/hashed-reads.js';
import { tempDir } from '../support/tmp.js';

const refuse = (detail: string): never => {
  throw new Error(detail);
};

describe('HashedReads: reads overlapped with hashing, the digest unchanged', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  const bytes = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 131 + (i >>> 7)) & 255));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-hashed-reads-'));
    file = path.join(dir, 'data.bin');
    await writeFile(file, bytes);
  });
  afterAll(async () => cleanup());

  it('hashes every piece once, in file order, whether read into scratch or into place', async () => {
    const handle = await open(file);
    const content = createHash('sha256');
    const reads = new HashedReads(handle, content, refuse);
    const kept = new Uint8Array(30_000);
    const seen: number[] = [];
    try {
      // Scratch pieces of odd sizes around a piece read into place: the two scratch buffers alternate.
      let at = 0;
      for (const size of [7, 4096, 13_000]) {
        await reads.push(reads.scratch(size), at, (piece) => seen.push(piece[0]!));
        at += size;
      }
      await reads.push(kept, at);
      at += kept.length;
      while (at < bytes.length) {
        const piece = reads.scratch(Math.min(9_999, bytes.length - at));
        await reads.push(piece, at);
        at += piece.length;
      }
      await reads.flush();
    } finally {
      await handle.close();
    }
    expect(content.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Buffer.from(kept).equals(bytes.subarray(17_103, 47_103))).toBe(true);
    expect(seen).toEqual([bytes[0], bytes[7], bytes[4103]]);
  });

  it('refuses a file that ends before a piece, from the read in flight, without an unhandled rejection', async () => {
    const handle = await open(file);
    const reads = new HashedReads(handle, createHash('sha256'), refuse);
    try {
      await reads.push(reads.scratch(1000), 0);
      // This read fails while the one before it is hashed; the failure surfaces at the flush.
      await reads.push(reads.scratch(1000), bytes.length - 10);
      await expect(reads.flush()).rejects.toThrow('truncated');
    } finally {
      await handle.close();
    }
  });
});
