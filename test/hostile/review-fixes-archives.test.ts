import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileContent } from '../../src/sources/file-content.js';
import type { Item } from '../../src/sources/item.js';
import { buildTar, expand, jpeg, locations, makeTempDir, memoryItem } from '../sources/archives/support/harness.js';
import { buildZip } from '../sources/archives/support/zip-writer.js';

const inner = buildZip([{ name: 'inside.txt', data: Buffer.from('hello') }]);
const carrier = (padding: number): Buffer => Buffer.concat([jpeg('photo'), randomBytes(padding), inner]);
const limited = (entries: { reason: string; detail?: string; incomplete: boolean }[]) =>
  entries.filter((entry) => entry.reason === 'archive-limit' && /zip is appended/.test(entry.detail ?? '') && entry.incomplete);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('a zip appended to a file with no usable path', () => {
  // A name that is not UTF-8: the walk gives no `path`, only content read through the Buffer name.
  async function nonUtf8Item(bytes: Buffer): Promise<Item> {
    const name = Buffer.concat([Buffer.from(path.join(dir, 'x')), Buffer.from([0xff, 0xfe, 0x2e, 0x6a, 0x70, 0x67])]);
    await writeFile(name, bytes);
    return { location: 'bad-name.jpg', origin: 'filesystem', size: bytes.length, content: fileContent(name, bytes.length) };
  }

  it('is opened through the content (before: skipped silently)', async () => {
    const result = await expand(await nonUtf8Item(carrier(100_000)));
    expect(locations(result)).toEqual(['bad-name.jpg!/inside.txt']);
    expect(result.coverage).toEqual([]);
  });

  it('too large to hold: incomplete coverage says the zip was not opened', async () => {
    const item = await nonUtf8Item(carrier(300_000));
    const result = await expand(item, { maxMemberBufferBytes: 100_000 });
    expect(locations(result)).toEqual([]);
    expect(limited(result.coverage)).toHaveLength(1);
  });

  it('content that can only be streamed is read for its tail', async () => {
    const bytes = carrier(300_000);
    const item = memoryItem('streamed.jpg', bytes);
    item.content = {
      ...item.content!,
      readAll: () => Promise.reject(new Error('no whole read')),
      stream: () => Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]),
    };
    expect(limited((await expand(item, { maxMemberBufferBytes: 100_000 })).coverage)).toHaveLength(1);
  });

  it('a file without an appended zip gives nothing', async () => {
    const result = await expand(await nonUtf8Item(Buffer.concat([jpeg('plain'), randomBytes(300_000)])), { maxMemberBufferBytes: 100_000 });
    expect(result.items).toEqual([]);
    expect(result.coverage).toEqual([]);
  });
});

describe('a streamed member too large to hold', () => {
  const options = { maxMemberBufferBytes: 100_000 };

  it('with a zip appended: limit coverage, whether or not the consumer read it (before: nothing)', async () => {
    const tar = await buildTar([
      { name: 'big.jpg', data: carrier(300_000) },
      { name: 'after.txt', data: Buffer.from('after') },
    ]);
    for (const consume of [undefined, async () => undefined]) {
      const result = await expand(memoryItem('bundle.tar', tar), options, consume);
      expect(locations(result)).toEqual(['bundle.tar!/big.jpg', 'bundle.tar!/after.txt']);
      expect(limited(result.coverage).map((entry) => (entry as { location?: string }).location)).toEqual(['bundle.tar!/big.jpg']);
    }
  });

  it('without one (an ordinary large video or photo): no coverage', async () => {
    const tar = await buildTar([{ name: 'big.jpg', data: Buffer.concat([jpeg('big'), randomBytes(300_000)]) }]);
    const result = await expand(memoryItem('bundle.tar', tar), options);
    expect(result.coverage).toEqual([]);
  });

  it('held back by the nesting budget: limit coverage', async () => {
    const tar = await buildTar([{ name: 'mid.jpg', data: carrier(50_000) }]);
    const result = await expand(memoryItem('bundle.tar', tar), { maxBufferedArchiveBytes: 10_000 });
    expect(limited(result.coverage)).toHaveLength(1);
  });
});

describe('the tail-keeping stream', () => {
  it('closes the file stream when the consumer stops early (before: source.pipe leaked it)', async () => {
    const { TailKeepingContent } = await import('../../src/sources/archives/appended.js');
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(16_384));
      },
    });
    const content = new TailKeepingContent({ head: async () => Buffer.alloc(0), readAll: async () => Buffer.alloc(0), stream: () => source }, 1 << 30);
    for await (const _chunk of content.stream()) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });
});

describe('a zip64 appended behind a prefix', () => {
  const zip64 = buildZip([{ name: 'inside.txt', data: Buffer.from('hello'), zip64: true }], { zip64Eocd: true });
  const bytes = Buffer.concat([jpeg('photo'), randomBytes(20_000), zip64]);

  it('is opened at its shift, in memory and on disk (before: missed, shift 0 and the 32-bit offset)', async () => {
    expect(locations(await expand(memoryItem('photo.jpg', bytes)))).toEqual(['photo.jpg!/inside.txt']);
    const file = path.join(dir, 'zip64.jpg');
    await writeFile(file, bytes);
    const onDisk = await expand(
      { location: 'zip64.jpg', origin: 'filesystem', size: bytes.length, content: fileContent(file, bytes.length) },
      { filePath: file },
    );
    expect(locations(onDisk)).toEqual(['zip64.jpg!/inside.txt']);
  });

  it('with its zip64 end record missing: incomplete coverage, never silence', async () => {
    const at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0, at);
    const result = await expand(memoryItem('photo.jpg', broken));
    expect(result.items).toEqual([]);
    expect(result.coverage.filter((entry) => entry.incomplete && /zip64 behind a prefix/.test(entry.detail ?? ''))).toHaveLength(1);
  });
});
