import { describe, expect, it } from 'vitest';
import { scanStreams } from '../../src/sources/containers/pdf-guard.js';
import { namesLzw, ObjectIndex } from '../../src/sources/containers/pdf-lzw.js';
import { expand, memoryItem } from '../sources/archives/support/harness.js';
import { lzw } from './support/lzw.js';

const LIMITS = { maxCompressionRatio: 200, ratioCheckMinBytes: 1024 * 1024, maxBytes: 32 * 1024 ** 3 };

/** A PDF whose stream objects (one per `filters` entry) name their filter as given, after the extra objects. */
const pdfWith = (filters: string[], data: Buffer, objects: string): Buffer =>
  Buffer.concat([
    Buffer.from(`%PDF-1.7\n${objects}`),
    ...filters.map((filter, i) =>
      Buffer.concat([Buffer.from(`${40 + i} 0 obj\n<< /Length ${data.length} /Filter ${filter} >>\nstream\n`), data, Buffer.from('\nendstream\nendobj\n')]),
    ),
    Buffer.from('trailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);

/** The real index, counting the object bodies it is asked for. */
class CountingIndex extends ObjectIndex {
  lookups = 0;
  override body(key: string): string | undefined {
    this.lookups++;
    return super.body(key);
  }
}

/** Where the stream keyword of the `n`th stream object is. */
const streamAt = (pdf: Buffer, n: number): number => pdf.indexOf('stream', pdf.indexOf(`${40 + n} 0 obj`));

describe('a PDF filter named through objects that fan out: each object is followed once', () => {
  it('one object referring to itself 60 times is looked up once, not 60^3 times, and is unresolved', () => {
    const pdf = pdfWith(['12 0 R'], Buffer.from('0123456789'), `12 0 obj\n[${'12 0 R '.repeat(60)}]\nendobj\n`);
    const index = new CountingIndex(pdf);
    expect(namesLzw(pdf, streamAt(pdf, 0), index)).toBe('unresolved');
    // Before: 1 + 60 + 60^2 + 60^3 lookups (a 4 KB object of 600 references: minutes of CPU per stream).
    expect(index.lookups).toBe(1);
  });

  it('a fan-out that ends in LZW is still found, each object read once, and the bomb under it refused', () => {
    const objects = `12 0 obj\n[${'13 0 R '.repeat(60)}]\nendobj\n13 0 obj\n[${'14 0 R '.repeat(60)}]\nendobj\n14 0 obj\n[/FlateDecode 15 0 R]\nendobj\n15 0 obj\n/LZWDecode\nendobj\n`;
    const bomb = lzw(Buffer.alloc(2 * 1024 * 1024));
    const pdf = pdfWith(['12 0 R', '[13 0 R]'], bomb, objects);
    const index = new CountingIndex(pdf);
    expect(namesLzw(pdf, streamAt(pdf, 0), index)).toBe('lzw');
    expect(namesLzw(pdf, streamAt(pdf, 1), index)).toBe('lzw');
    expect(index.lookups).toBe(4);
    expect(scanStreams(pdf, LIMITS)).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('600 self-references in 200 streams: one unsupported-compression entry for the document, at once', async () => {
    const pdf = pdfWith(Array(200).fill('12 0 R'), Buffer.from('0123456789'), `12 0 obj\n[${'12 0 R '.repeat(600)}]\nendobj\n`);
    const result = await expand(memoryItem('fan.pdf', pdf));
    expect(result.items).toEqual([]);
    expect(result.coverage.map((c) => `${c.reason} ${c.location} ${c.incomplete}`)).toEqual(['unsupported-compression fan.pdf true']);
  });
});
