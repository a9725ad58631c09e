import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { findAppendedZip, TailKeepingContent } from '../../../src/sources/archives/appended.js';
import type { ContentSource } from '../../../src/sources/item.js';
import { buildZip } from './support/zip-writer.js';

const source = (bytes: Buffer): ContentSource => ({
  head: async (n) => bytes.subarray(0, n),
  readAll: async () => bytes,
  stream: () => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000, 70_000), bytes.subarray(70_000)]),
});
const drain = async (stream: Readable): Promise<void> => {
  for await (const _chunk of stream) void _chunk;
};

describe('looking for a zip appended to a file', () => {
  it('uses the tail the detectors already read: a file without an end record is not opened again', async () => {
    const bytes = randomBytes(200_000);
    const content = new TailKeepingContent(source(bytes), bytes.length);
    await drain(content.stream());
    expect(content.tail).toEqual(bytes.subarray(bytes.length - content.tail!.length));
    // The path does not exist: any read of it would throw.
    await expect(findAppendedZip({ path: '/nonexistent/custody-test', content, size: bytes.length }, 1 << 20)).resolves.toBeUndefined();
  });

  it('finds the shift of a zip behind other bytes, in memory', async () => {
    const prefix = randomBytes(5000);
    const zip = buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
    const bytes = Buffer.concat([prefix, zip]);
    const { BufferContent } = await import('../../../src/sources/archives/content.js');
    const found = await findAppendedZip({ content: new BufferContent(bytes), size: bytes.length }, 1 << 20);
    expect(found && 'shift' in found ? found.shift : undefined).toBe(prefix.length);
  });
});
