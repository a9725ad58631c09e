import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseGzipHeader } from '../../../src/sources/archives/gzip.js';

/** A gzip member whose header carries FNAME `name` (raw bytes). */
function named(name: Buffer): Buffer {
  const plain = gzipSync(Buffer.from('x'));
  const header = Buffer.from(plain.subarray(0, 10));
  header[3] = header[3]! | 0x08;
  return Buffer.concat([header, name, Buffer.from([0]), plain.subarray(10)]);
}

describe('gzip FNAME', () => {
  it('is read as UTF-8 when it is valid UTF-8 (what gzip stores on a UTF-8 system)', () => {
    expect(parseGzipHeader(named(Buffer.from('crop XYZ–9876.jpg', 'utf8'))).name).toBe('crop XYZ–9876.jpg');
    expect(parseGzipHeader(named(Buffer.from('ＸＹＺ/é.jpg', 'utf8'))).name).toBe('ＸＹＺ/é.jpg');
  });

  it('falls back to Latin-1 (RFC 1952) otherwise', () => {
    expect(parseGzipHeader(named(Buffer.from('XYZ\u00a09876 café.jpg', 'latin1'))).name).toBe('XYZ\u00a09876 café.jpg');
  });

  it('reads backslashes as slashes, and has no name when FNAME is cut off', () => {
    expect(parseGzipHeader(named(Buffer.from('a\\b.txt'))).name).toBe('a/b.txt');
    const cut = named(Buffer.from('long-name.txt')).subarray(0, 14);
    expect(parseGzipHeader(cut).name).toBeUndefined();
  });
});
