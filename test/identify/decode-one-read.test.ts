import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentChangedError, fileContent, WHOLE_HEAD_BYTES } from '../../src/sources/file-content.js';

// A picture is sniffed (head) and then decoded (readAll). Up to WHOLE_HEAD_BYTES the file is read
// once, by the head, and readAll hands over those bytes; larger files are read as before. Each case
// rewrites the file between the two calls, which tells one read from two.

describe('a small file sniffed and then read whole', () => {
  let dir: string;
  const content = async (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    const stats = await stat(file);
    return { file, content: fileContent(file, bytes.length, { dev: stats.dev, ino: stats.ino }) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'custody-one-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is read once: readAll gives the bytes the head was cut from', async () => {
    const first = Buffer.alloc(100_000, 1);
    const { file, content: c } = await content('small.jpg', first);
    expect(await c.head(512)).toEqual(first.subarray(0, 512));
    await writeFile(file, Buffer.alloc(first.length, 2)); // same inode, same size, other bytes
    expect(await c.readAll()).toEqual(first);
    // Taken once: a second readAll reads the file again.
    expect((await c.readAll())[0]).toBe(2);
  });

  it('is read once when it is streamed after the head (a digest, a text scan)', async () => {
    const first = Buffer.alloc(50_000, 3);
    const { file, content: c } = await content('small.txt', first);
    await c.head(512);
    await writeFile(file, Buffer.alloc(first.length, 4));
    const chunks: Buffer[] = [];
    for await (const chunk of c.stream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(first);
  });

  it('keeps the file only for the first read: a head after the digest and the decode is a head, holding no whole copy', async () => {
    const { file, content: c } = await content('kept.jpg', Buffer.alloc(200_000, 5));
    await c.head(64); // the sniff: read whole and kept
    for await (const _ of c.stream()); // the exact digest takes the kept bytes
    await c.readAll(); // the decode reads the file
    const meta = await c.head(64 * 1024); // the metadata detector
    expect(meta.length).toBe(64 * 1024);
    expect(meta.buffer.byteLength).toBeLessThan(200_000); // not a view of a whole copy the item would keep
    await writeFile(file, Buffer.alloc(200_000, 6));
    expect((await c.readRange(0, 4))[0]).toBe(6); // nothing kept: read from the file as it is now
  });

  it('larger than WHOLE_HEAD_BYTES: the head reads a head, readAll the file as it is now', async () => {
    const { file, content: c } = await content('large.jpg', Buffer.alloc(WHOLE_HEAD_BYTES + 1, 1));
    expect((await c.head(512)).length).toBe(512);
    await writeFile(file, Buffer.alloc(WHOLE_HEAD_BYTES + 1, 2));
    expect((await c.readAll())[0]).toBe(2);
  });

  it('a file that grew after the walk still gives its head, and readAll still fails as changed', async () => {
    const { file, content: c } = await content('grew.jpg', Buffer.alloc(1000, 1));
    await writeFile(file, Buffer.alloc(2000, 1));
    expect((await c.head(512)).length).toBe(512);
    await expect(c.readAll()).rejects.toBeInstanceOf(ContentChangedError);
  });

  it('a file that grew in place is told changed without being read to its new end (memory stays bounded)', async () => {
    // Grown to 3 GiB (sparse): a whole-file read of what it became fails on Node's 2 GiB limit,
    // or holds the bytes; reading one byte past the walk's size tells the change and names the new size.
    const grown = 3 * 2 ** 30;
    for (const take of ['readAll', 'stream'] as const) {
      const { file, content: c } = await content(`grew-${take}.bin`, Buffer.alloc(100_000, 1));
      await truncate(file, grown);
      const read =
        take === 'readAll'
          ? c.readAll()
          : (async () => {
              for await (const _ of c.stream());
            })();
      await expect(read).rejects.toThrow(new ContentChangedError(`size changed during the scan (100000 -> ${grown} bytes)`));
    }
  });
});
