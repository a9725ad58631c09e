import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../../src/sources/item.js';
import { buildTar, expand, fileItem, makeTempDir, memoryItem } from './support/harness.js';
import { buildZip } from './support/zip-writer.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256));

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reads a member every way, twice, as several detectors would. */
async function readEveryWay(item: Item): Promise<string[]> {
  const content = item.content!;
  const reads = [
    await content.head(10),
    await content.readAll(),
    await drain(content.stream()),
    await drain(content.stream()),
    await content.head(10),
    await content.readAll(),
  ];
  // Compared as hex: deep-equal on large Buffers is very slow in vitest.
  return reads.map(hex);
}

const hex = (bytes: Buffer): string => bytes.toString('hex');

describe('member content', () => {
  const data = pattern(50_000);
  const expected = [data.subarray(0, 10), data, data, data, data.subarray(0, 10), data].map(hex);

  it('serves repeated reads of a zip member on disk', async () => {
    const { item, file } = await fileItem(dir, 'r.zip', buildZip([{ name: 'm.bin', data }]));
    const reads: string[][] = [];
    await expand(item, { filePath: file }, async (member) => void reads.push(await readEveryWay(member)));
    expect(reads).toEqual([expected]);
  });

  it('serves repeated reads of a tar member within maxMemberBufferBytes', async () => {
    const tar = await buildTar([
      { name: 'm.bin', data },
      { name: 'n.bin', data },
    ]);
    const reads: string[][] = [];
    await expand(memoryItem('r.tar', tar), {}, async (member) => void reads.push(await readEveryWay(member)));
    expect(reads).toEqual([expected, expected]);
  });

  it('streams a large tar member once, keeps its head, and says why later full reads fail', async () => {
    const tar = await buildTar([
      { name: 'big.bin', data },
      { name: 'next.bin', data: pattern(10) },
    ]);
    const seen: string[] = [];
    await expand(memoryItem('big.tar', tar), { maxMemberBufferBytes: 1000 }, async (member) => {
      seen.push(member.location);
      if (!member.location.endsWith('big.bin')) return;
      const content = member.content!;
      expect(await content.head(10)).toEqual(data.subarray(0, 10));
      await expect(content.readAll()).rejects.toThrow(/larger than maxMemberBufferBytes \(1000\): use stream\(\), once/);
      expect(hex(await drain(content.stream()))).toBe(hex(data));
      await expect(drain(content.stream())).rejects.toThrow(/can be streamed only once/);
      expect(await content.head(10)).toEqual(data.subarray(0, 10));
    });
    expect(seen).toEqual(['big.tar!/big.bin', 'big.tar!/next.bin']);
  });

  it('drains a large member the consumer only half read', async () => {
    const tar = await buildTar([
      { name: 'big.bin', data },
      { name: 'next.bin', data: pattern(10) },
    ]);
    const reads: Buffer[] = [];
    await expand(memoryItem('half.tar', tar), { maxMemberBufferBytes: 1000 }, async (member) => {
      const stream = member.content!.stream();
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        reads.push(chunk);
        break;
      }
    });
    expect(reads.at(-1)).toEqual(pattern(10));
  });

  it('refuses reads of a streamed member after the walk moved on', async () => {
    const tar = await buildTar([
      { name: 'a.bin', data },
      { name: 'b.bin', data },
    ]);
    const kept: Item[] = [];
    await expand(memoryItem('late.tar', tar), {}, async (member) => void kept.push(member));
    await expect(kept[0]!.content!.readAll()).rejects.toThrow(/late\.tar!\/a\.bin is no longer available/);
  });

  it('re-inflates a single .gz member larger than the buffer limit on every read', async () => {
    const reads: string[][] = [];
    await expand(memoryItem('m.bin.gz', gzipSync(data)), { maxMemberBufferBytes: 1000 }, async (member) => {
      expect(member.size).toBe(data.length);
      reads.push(await readEveryWay(member));
    });
    expect(reads).toEqual([expected]);
  });
});

describe('abandoning the walk', () => {
  it('stops without draining the rest when the consumer breaks out mid-archive', async () => {
    const tar = await buildTar([
      { name: 'big.bin', data: pattern(2_000_000) },
      { name: 'never.bin', data: pattern(10) },
    ]);
    const { expandArchive } = await import('../../../src/sources/archives/index.js');
    const seen: string[] = [];
    for await (const event of expandArchive(memoryItem('stop.tar', tar), 'application/x-tar', { maxMemberBufferBytes: 1000 })) {
      if (event.kind === 'item') seen.push(event.item.location);
      break;
    }
    expect(seen).toEqual(['stop.tar!/big.bin']);
  });
});
