import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher } from '../../../src/identify/plates/matcher.js';
import { scanPlates } from '../../../src/identify/plates/scan.js';
import { TextDecodeFilter } from '../../../src/identify/plates/scan-decode.js';
import { makePlates } from './generate.js';

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(50, 1);
const MATCHER = PlateMatcher.fromHex(
  KEY,
  AGENCY.map((p) => plateDigest(KEY, p)),
);

/** Scans `bytes` cut into chunks of every size given, so state across chunk edges is exercised. */
async function scanIn(bytes: Buffer, chunk: number): Promise<number> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return (await scanPlates(Readable.from(chunks), MATCHER)).records;
}

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
const ansiLog = AGENCY.slice(0, 10)
  .map(
    (p, i) =>
      `\x1b[0;32m2026-11-02T10:0${i}:00Z\x1b[0m \x1b[1;31mREAD\x1b[0m plate=\x1b[1m${p.slice(0, 3)}\x1b[22m\x1b[33m${p.slice(3)}\x1b[0m \x1b]0;gate 3\x07ok`,
  )
  .join('\n');
const csv = `plate,lane\n${AGENCY.slice(0, 10)
  .map((p, i) => `${p},${i}`)
  .join('\n')}\n`;

describe('text decoding before the plate scan', () => {
  for (const chunk of [1, 3, 7, 4096, 65536]) {
    it(`finds plates split by ANSI colour codes (chunks of ${chunk})`, async () => {
      expect(await scanIn(Buffer.from(ansiLog), chunk)).toBe(10);
    });
    it(`reads UTF-16 LE with a BOM, and BE without one (chunks of ${chunk})`, async () => {
      expect(await scanIn(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]), chunk)).toBe(10);
      expect(await scanIn(utf16be(csv), chunk)).toBe(10);
    });
  }

  it('without decoding, the same bytes hide the plates (the tests above can fail)', async () => {
    // Colour codes glue digits onto the plate: `1mABC` is one token.
    const glued = AGENCY.slice(0, 5)
      .map((p) => `\x1b[1m${p}\x1b[0m`)
      .join('\n');
    const filter = new TextDecodeFilter('utf-8');
    expect(Buffer.from(filter.write(Buffer.from(glued))).toString()).toBe(AGENCY.slice(0, 5).join('\n'));
  });

  it('finds plates after NUL bytes in a log header', async () => {
    const log = Buffer.concat([Buffer.from('LOGv2\0\0\0\x10\0\0\0'), Buffer.alloc(300), Buffer.from(`\n${AGENCY.slice(0, 4).join(' read\n')}\n`)]);
    expect(await scanIn(log, 64)).toBe(4);
  });

  it('keeps an OSC as text and passes plain ASCII through unchanged', () => {
    const filter = new TextDecodeFilter('utf-8');
    const plain = Buffer.from('plain ascii ABC1234\n');
    expect(filter.write(plain)).toBe(plain);
    const osc = Buffer.concat([Buffer.from('\x1b]'), Buffer.alloc(5000, 0x41)]);
    const out = Buffer.concat([filter.write(osc), filter.end()]);
    expect(out.length).toBe(5002);
  });
});
