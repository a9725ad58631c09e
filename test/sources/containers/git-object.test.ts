import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../../src/sources/sniff.js';
import { expand, jpeg, memoryItem } from '../archives/support/harness.js';

const object = (type: string, data: Buffer) => deflateSync(Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]));

/** A loose git object (zlib over `<type> <size>\0<content>`) is one member: the content git stores. */
describe('loose git objects', () => {
  it('are told by their decoded header, not by a zlib header alone', () => {
    expect(sniff(object('blob', jpeg('a')).subarray(0, 512))).toBe('application/x-git-loose-object');
    expect(sniff(object('commit', Buffer.from('tree 4b825dc6\nauthor A\n\nmsg\n')).subarray(0, 512))).toBe('application/x-git-loose-object');
    // Plain zlib data with no git header stays what it was (opaque bytes).
    expect(sniff(deflateSync(Buffer.alloc(2000, 7)).subarray(0, 512))).toBe('application/octet-stream');
  });

  it('give the content without the header, named !/object', async () => {
    const data = Buffer.concat([jpeg('b'), Buffer.alloc(3000, 1)]);
    const { items, bytes, coverage } = await expand(memoryItem('repo/.git/objects/ab/cdef', object('blob', data)));
    expect(coverage).toEqual([]);
    expect(items.map((i) => i.location)).toEqual(['repo/.git/objects/ab/cdef!/object']);
    expect(bytes.get('repo/.git/objects/ab/cdef!/object')?.equals(data)).toBe(true);
  });

  it('refuse a bomb by the compression ratio, and a header that lies about the size', async () => {
    const bomb = await expand(memoryItem('bomb', object('blob', Buffer.alloc(16 * 1024 * 1024))));
    expect(bomb.items).toEqual([]);
    expect(bomb.coverage.map((c) => c.reason)).toEqual(['archive-limit']);
    const lying = await expand(memoryItem('lying', deflateSync(Buffer.from('blob 9999\0short'))));
    expect(lying.items).toEqual([]);
    expect(lying.coverage).toMatchObject([{ reason: 'corrupt-archive', incomplete: true }]);
    expect(lying.coverage[0]!.detail).toMatch(/header says 9999 bytes, stream holds 5/);
  });
});
