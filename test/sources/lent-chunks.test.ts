import { randomBytes } from 'node:crypto';
import { appendFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingContent } from '../../src/audit/tally.js';
import { sha256Of } from '../../src/identify/exact.js';
import { plateDigest } from '../../src/identify/plates/key.js';
import { PlateMatcher } from '../../src/identify/plates/matcher.js';
import { scanPlates } from '../../src/identify/plates/scan.js';
import { TailKeepingContent } from '../../src/sources/archives/appended.js';
import { TAIL_BYTES } from '../../src/sources/archives/zip-layout.js';
import { ContentChangedError, fileContent } from '../../src/sources/file-content.js';
import { type ContentSource, chunksOf, type Item } from '../../src/sources/item.js';
import { csvText, logLine, makePlates, prng } from '../identify/plates/generate.js';
import { tempDir } from '../support/tmp.js';

/**
 * Large files are read into one buffer over and over (ContentSource.lentChunks), and every reader of
 * such chunks copies what it keeps: the bytes it sees, the digest, the tail and the plates found are
 * those of a stream of fresh buffers.
 */
let dir: string;
let cleanup: () => Promise<void>;
const BYTES = randomBytes(3 * 1024 * 1024 + 12_345);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(path.join(dir, 'big.bin'), BYTES);
});
afterAll(() => cleanup());

async function collect(chunks: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; buffers: Set<ArrayBufferLike> }> {
  const copies: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of chunks) {
    buffers.add(chunk.buffer);
    copies.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(copies), buffers };
}

describe('lent chunks of a file', () => {
  it('are the file, read into one buffer', async () => {
    const file = path.join(dir, 'big.bin');
    const { bytes, buffers } = await collect(chunksOf(fileContent(file, BYTES.length)));
    expect(bytes.equals(BYTES)).toBe(true);
    expect(buffers.size).toBe(1);
  });

  it('fail as the stream does when the file grew or shrank since the walk', async () => {
    for (const [name, change] of [
      ['grown', (f: string) => appendFile(f, 'more')],
      ['shrunk', (f: string) => truncate(f, BYTES.length - 10)],
    ] as const) {
      const file = path.join(dir, `${name}.bin`);
      await writeFile(file, BYTES);
      const content = fileContent(file, BYTES.length);
      await change(file);
      await expect(collect(chunksOf(content))).rejects.toBeInstanceOf(ContentChangedError);
    }
  });

  it('keep the tail, the stretch spotting and the byte count of the wrappers around them', async () => {
    const file = path.join(dir, 'big.bin');
    const tally = { bytesRead: 0 };
    const kept = new TailKeepingContent(countingContent(fileContent(file, BYTES.length), tally), BYTES.length);
    const { bytes, buffers } = await collect(chunksOf(kept));
    expect(bytes.equals(BYTES)).toBe(true);
    expect(buffers.size).toBe(1);
    expect(tally.bytesRead).toBe(BYTES.length);
    expect(kept.tail?.equals(BYTES.subarray(BYTES.length - TAIL_BYTES))).toBe(true);
    const streamed = new TailKeepingContent(fileContent(file, BYTES.length), BYTES.length);
    for await (const _ of streamed.stream()) void _;
    expect(kept.mayEmbed).toBe(streamed.mayEmbed);
  });

  it('digest to the file SHA-256', async () => {
    const file = path.join(dir, 'big.bin');
    const item: Item = { location: 'big.bin', origin: 'filesystem', size: BYTES.length, content: fileContent(file, BYTES.length) };
    const { createHash } = await import('node:crypto');
    expect(await sha256Of(item)).toBe(createHash('sha256').update(BYTES).digest('hex'));
  });
});

describe('the plate scan over lent chunks', () => {
  const KEY = Buffer.from('test-plate-key-0123456789abcdef');
  const plates = makePlates(300, 7);
  const matcher = PlateMatcher.fromHex(
    KEY,
    plates.slice(0, 150).map((p) => plateDigest(KEY, p)),
  );
  /** Chunks of `size` bytes, each read into the same buffer, which is overwritten (garbage) once the next is asked for. */
  async function* lent(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
    const buffer = Buffer.alloc(size);
    for (let at = 0; at < bytes.length; at += size) {
      const n = bytes.copy(buffer, 0, at, at + size);
      yield buffer.subarray(0, n);
      buffer.fill(0x5a);
    }
  }
  const rng = prng(3);
  const texts = {
    csv: Buffer.from(csvText(plates, rng)),
    log: Buffer.from(plates.map((p, i) => logLine(i, i % 2 ? p : undefined, rng)).join('')),
    utf16: Buffer.from(`\ufeff${csvText(plates, rng)}`, 'utf16le'),
  };

  it('finds what a stream of fresh chunks finds, in chunks smaller than the format detection reads', async () => {
    for (const [name, bytes] of Object.entries(texts)) {
      for (const size of [7, 1000, 5000, 1 << 16]) {
        const expected = await scanPlates(Readable.from([Buffer.from(bytes)]), matcher);
        const got = await scanPlates(lent(bytes, size), matcher);
        expect({ name, size, ...got }).toEqual({ name, size, ...expected });
        expect(got.records).toBeGreaterThan(0);
      }
    }
  });
});

/** Keeps TypeScript honest about the optional method: a plain source has none. */
const plain: ContentSource = { head: async () => Buffer.alloc(0), readAll: async () => Buffer.alloc(0), stream: () => Readable.from([]) };
it('a source without lent chunks is read by its stream', async () => {
  expect(plain.lentChunks).toBeUndefined();
  expect((await collect(chunksOf(plain))).bytes.length).toBe(0);
});
