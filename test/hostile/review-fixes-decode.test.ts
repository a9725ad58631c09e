import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../src/identify/plates/key.js';
import { PlateMatcher } from '../../src/identify/plates/matcher.js';
import { scanPlates } from '../../src/identify/plates/scan.js';
import { TextDecodeFilter } from '../../src/identify/plates/scan-decode.js';
import { makePlates } from '../identify/plates/generate.js';

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(40, 7);
const MATCHER = PlateMatcher.fromHex(
  KEY,
  AGENCY.map((p) => plateDigest(KEY, p)),
);
const rows = (plates: string[]): string => `${plates.map((p, i) => `${p},${i}`).join('\n')}\n`;

async function records(bytes: Buffer, chunk = 4096): Promise<number> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return (await scanPlates(Readable.from(chunks), MATCHER)).records;
}

describe('a hostile prefix never hides plates the raw bytes hold', () => {
  for (const chunk of [1, 7, 4096, 65536]) {
    it(`FF FE in front of a UTF-8 CSV (chunks of ${chunk})`, async () => {
      const csv = Buffer.from(`plate,lane\n${rows(AGENCY.slice(0, 20))}`);
      expect(await records(Buffer.concat([Buffer.from([0xff, 0xfe]), csv]), chunk)).toBe(20);
    });
  }

  it('512 bytes of ASCII, UTF-16 padding, then ASCII rows', async () => {
    const padding = Buffer.from('x'.repeat(2000), 'utf16le');
    const file = Buffer.concat([Buffer.from('a'.repeat(512)), padding, Buffer.from(`\n${rows(AGENCY.slice(0, 15))}`)]);
    expect(await records(file)).toBe(15);
  });

  it('still reads a real UTF-16 file (and merges with the raw reading)', async () => {
    const text = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`plate,lane\n${rows(AGENCY.slice(0, 10))}`, 'utf16le')]);
    const ascii = Buffer.from(rows(AGENCY.slice(10, 15)));
    expect(await records(text)).toBe(10);
    // UTF-16 rows then raw ASCII rows: each reading finds its own part; the count is of both.
    expect(await records(Buffer.concat([text, ascii]))).toBe(15);
  });
});

describe('ANSI stripping removes only sure control sequences', () => {
  const decode = (text: string): string => {
    const filter = new TextDecodeFilter('utf-8');
    return Buffer.concat([filter.write(Buffer.from(text)), filter.end()]).toString('latin1');
  };

  it('keeps the byte after a bare ESC, a CSI "final" letter, and OSC contents', () => {
    expect(decode(',\x1bQRT4821,')).toBe(',\x1bQRT4821,');
    expect(decode(',\x1b[QRT4821,')).toBe(',\x1b[QRT4821,');
    expect(decode('\x1b]x\nABC1234\n\x07')).toBe('\x1b]x\nABC1234\n\x07');
    expect(decode('\x1b[1;31mABC\x1b[0m1234\x1b[2K\x1b[m')).toBe('ABC1234');
    expect(decode('\x1b[12345678901234567890m')).toBe('\x1b[12345678901234567890m');
  });

  for (const chunk of [1, 3, 4096]) {
    it(`finds plates behind a bare ESC, a CSI-looking letter and inside an OSC (chunks of ${chunk})`, async () => {
      const plates = AGENCY.slice(20, 32);
      const text = [
        ...plates.slice(0, 4).map((p) => `,\x1b${p},`),
        ...plates.slice(4, 8).map((p) => `,\x1b[${p},`),
        `\x1b]hide\n${rows(plates.slice(8, 12))}\x07`,
      ].join('\n');
      expect(await records(Buffer.from(text), chunk)).toBe(12);
    });
  }

  it('an escape after the first 4 KiB still gets the decoded reading, with the raw one as floor', async () => {
    const plates = AGENCY.slice(32, 38);
    const split = plates
      .slice(0, 3)
      .map((p) => `\x1b[1m${p.slice(0, 3)}\x1b[0m${p.slice(3)}`)
      .join('\n');
    // Stripping would glue `5` onto the plate; the raw reading ends the token at ESC.
    const glued = plates
      .slice(3)
      .map((p) => `${p}\x1b[1m5`)
      .join('\n');
    expect(await records(Buffer.from(`${'word '.repeat(2000)}\n${split}\n${glued}\n`))).toBe(6);
  });
});
