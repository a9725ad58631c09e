import { describe, expect, it } from 'vitest';
import { scanStreams } from '../../src/sources/containers/pdf-guard.js';
import { expand, memoryItem, reasons } from '../sources/archives/support/harness.js';
import { lzw } from './support/lzw.js';

const LIMITS = { maxCompressionRatio: 200, ratioCheckMinBytes: 1024 * 1024, maxBytes: 32 * 1024 ** 3 };

/** A PDF whose stream object 4 names its filter as `filter`, with the extra objects given (`12 0 obj ... endobj`). */
const pdfWith = (filter: string, data: Buffer, objects = ''): Buffer =>
  Buffer.concat([
    Buffer.from(`%PDF-1.7\n${objects}4 0 obj\n<< /Length ${data.length} /Filter ${filter} >>\nstream\n`),
    data,
    Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);

const bomb = lzw(Buffer.alloc(8 * 1024 * 1024));

describe('the PDF bomb guard resolves an LZW filter named through an indirect object (pdf.js and pdf-lib resolve it too)', () => {
  it('/Filter 12 0 R -> /LZWDecode: the bomb is measured and refused (before: counted as 0, the document opened)', () => {
    expect(scanStreams(pdfWith('12 0 R', bomb, '12 0 obj\n/LZWDecode\nendobj\n'), LIMITS)).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('a reference inside the filter array, and one object pointing at another, are followed', () => {
    expect(scanStreams(pdfWith('[12 0 R]', bomb, '12 0 obj\n[/LZWDecode]\nendobj\n'), LIMITS)).toMatchObject({ limit: 'maxCompressionRatio' });
    const chain = '12 0 obj\n13 0 R\nendobj\n13 0 obj\n/LZWDecode\nendobj\n';
    expect(scanStreams(pdfWith('12 0 R', bomb, chain), LIMITS)).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('the last definition of the object wins, as in a later revision', () => {
    const revised = '12 0 obj\n/DCTDecode\nendobj\n12 0 obj\n/LZWDecode\nendobj\n';
    expect(scanStreams(pdfWith('12 0 R', bomb, revised), LIMITS)).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('an honest LZW stream named by reference is counted exactly; a reference to another filter is not LZW', () => {
    const text = Buffer.from('BT /F1 12 Tf 72 712 Td (lane 3 read at the gate) Tj ET\n'.repeat(40));
    expect(scanStreams(pdfWith('12 0 R', lzw(text), '12 0 obj\n/LZWDecode\nendobj\n'), LIMITS)).toEqual({ inflated: text.length });
    expect(scanStreams(pdfWith('12 0 R', bomb, '12 0 obj\n/DCTDecode\nendobj\n'), LIMITS)).toEqual({ inflated: 0 });
  });

  it('a reference the file does not hold (or a loop of references) refuses the document with a coverage reason', () => {
    expect(scanStreams(pdfWith('12 0 R', bomb), LIMITS)).toMatchObject({ reason: 'unsupported-compression' });
    const loop = '12 0 obj\n13 0 R\nendobj\n13 0 obj\n12 0 R\nendobj\n';
    expect(scanStreams(pdfWith('12 0 R', bomb, loop), LIMITS)).toMatchObject({ reason: 'unsupported-compression' });
  });

  it('through the walk: the document is recorded as not opened, incomplete, never as clean', async () => {
    const result = await expand(memoryItem('scan.pdf', pdfWith('12 0 R', bomb)));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['unsupported-compression scan.pdf']);
    expect(result.coverage[0]).toMatchObject({ incomplete: true });
    expect(result.coverage[0]!.detail).toMatch(/names its filter through an object not found/);
    const bombed = await expand(memoryItem('bomb.pdf', pdfWith('12 0 R', bomb, '12 0 obj\n/LZWDecode\nendobj\n')));
    expect(reasons(bombed)).toEqual(['archive-limit bomb.pdf']);
  });
});
