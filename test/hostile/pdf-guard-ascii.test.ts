import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanStreams } from '../../src/sources/containers/pdf-guard.js';
import { lzw } from './support/lzw.js';

const LIMITS = { maxCompressionRatio: 200, ratioCheckMinBytes: 1024 * 1024, maxBytes: 32 * 1024 ** 3 };

/** One stream object of a PDF, its data as given. */
const pdfWith = (filter: string, data: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from(`%PDF-1.7\n4 0 obj\n<< /Filter ${filter} >>\nstream\n`), Buffer.from(data), Buffer.from('\nendstream\nendobj\n')]);

/** ASCII85 of `bytes` (Adobe's encoding, as pdf.js decodes it). */
function ascii85(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const chunk = Buffer.concat([bytes.subarray(i, i + 4), Buffer.alloc(4)]).subarray(0, 4);
    let value = chunk.readUInt32BE(0);
    const count = Math.min(4, bytes.length - i);
    if (value === 0 && count === 4) {
      out += 'z';
      continue;
    }
    const digits: string[] = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(String.fromCharCode((value % 85) + 33));
      value = Math.floor(value / 85);
    }
    out += digits.slice(0, count + 1).join('');
  }
  return `${out}~>`;
}

describe('the PDF bomb guard sees Flate behind a text layer (a reviewer built a 2.9 MB PDF that inflated to 1.5 GB through pdf.js)', () => {
  const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });

  it('a content stream [/ASCIIHexDecode /FlateDecode] that inflates past the ratio is refused', () => {
    const scan = scanStreams(pdfWith('[/ASCIIHexDecode /FlateDecode]', `${bomb.toString('hex')}>`), LIMITS);
    expect(scan).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('and behind ASCII85', () => {
    const scan = scanStreams(pdfWith('[/ASCII85Decode /FlateDecode]', ascii85(bomb)), LIMITS);
    expect(scan).toMatchObject({ limit: 'maxCompressionRatio' });
  });

  it('an honest hex-wrapped Flate stream passes, measured', () => {
    const page = deflateSync(Buffer.from('BT /F1 12 Tf 72 712 Td (lane 3 read) Tj ET'));
    expect(scanStreams(pdfWith('[/ASCIIHexDecode /FlateDecode]', `${page.toString('hex')}>`), LIMITS)).toEqual({ inflated: 42 });
  });
});

describe('the PDF bomb guard measures LZW streams (no header tells them; their dictionary names them)', () => {
  it('an honest LZW content stream is counted exactly', () => {
    const text = Buffer.from('BT /F1 12 Tf 72 712 Td (lane 3 read at the gate) Tj ET\n'.repeat(40));
    expect(scanStreams(pdfWith('/LZWDecode', lzw(text)), LIMITS)).toEqual({ inflated: text.length });
  });

  it('an LZW bomb of zeros is refused by the ratio limit, counted from its codes alone', () => {
    const started = Date.now();
    const scan = scanStreams(pdfWith('[/LZWDecode]', lzw(Buffer.alloc(8 * 1024 * 1024))), LIMITS);
    expect(scan).toMatchObject({ limit: 'maxCompressionRatio' });
    expect(Date.now() - started).toBeLessThan(20_000); // a backstop: nothing is decoded
  }, 60_000);
});
