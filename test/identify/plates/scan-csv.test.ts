import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { type PlateScanResult, scanPlates } from '../../../src/identify/plates/scan.js';
import { makePlates, prng, spell } from './generate.js';

/**
 * CSV rows after the header are split and checked in WebAssembly (wasm/tokenizer.ts csvFeed), while a
 * header naming plate parts keeps every row in scan-csv.ts's JavaScript. The same rows must give the
 * same findings either way, however the bytes are cut.
 */

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(300, 11);
const OTHERS = makePlates(300, 12, new Set(AGENCY));
const digests = AGENCY.map((p) => plateDigest(KEY, p));
const MATCHER = PlateMatcher.fromHex(KEY, digests);
const SHAPED = PlateMatcher.fromHex(KEY, digests, plateShapes(AGENCY));

/** What a scan found (the byte count aside: the two headers differ in length). */
const scan = async (text: string, matcher: PlateMatcher, chunk: number): Promise<Omit<PlateScanResult, 'bytes'>> => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const { bytes: _, ...found } = await scanPlates(Readable.from(chunks), matcher);
  return found;
};

/** Cells only a check of the whole cell finds (single characters, a tab, en dashes), and cells of every other kind. */
function cell(plate: string, rng: () => number, n: number): string {
  const chars = [...plate];
  switch (n % 12) {
    case 0:
      return chars.join(' ');
    case 1:
      return chars.join('\u2013'); // en dash: non-ASCII, so the whole cell is normalised as text
    case 2:
      return `${plate.slice(0, 3)}\t${plate.slice(3)}`;
    case 3:
      return `"seen ""${spell(plate, rng)}"" at the gate"`;
    case 4:
      return `"two lines\r\n${spell(plate, rng)}\nend"`;
    case 5:
      return `"${chars.join('\u2013')}"`;
    case 6:
      return `caf\u00e9 ${spell(plate, rng)} na\u00efve`;
    case 7:
      return [...plate].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''); // full-width
    case 8:
      return `${'x'.repeat(40)} ${spell(plate, rng)} ${'y'.repeat(20)}`;
    case 9:
      return `${spell(plate, rng)}"stray`;
    case 10:
      return `"${plate}"`;
    default:
      return spell(plate, rng);
  }
}

/** Rows of four data cells and two empty ones, under `extra` as the last two names; CRLF or LF ends. */
function csv(extra: [string, string], seed: number): string {
  const rng = prng(seed);
  const rows = [`time,lane,plate,note,${extra.join(',')}`];
  for (let i = 0; i < 600; i++) {
    const plate = (i % 2 ? OTHERS : AGENCY)[Math.floor(i / 2)]!;
    // One plate cell per row, so that each kind of cell must be found by itself.
    const written = cell(plate, rng, Math.floor(i / 2));
    const [lane, where] = Math.floor(i / 2) % 3 === 0 ? [written, 'lane 4'] : [String(i % 8), written];
    const row = [`2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z`, lane, where, `RD-${i}`, '', ''];
    rows.push(row.join(',') + (i % 5 === 0 ? '\r' : ''));
  }
  return `${rows.join('\n')}\n`;
}

describe('CSV rows in WebAssembly', () => {
  it('finds what the JavaScript rows find, in the same columns, whatever the chunking', async () => {
    const fast = csv(['x', 'y'], 3);
    const slow = csv(['series', 'serial'], 3);
    for (const matcher of [MATCHER, SHAPED]) {
      const reference = await scan(slow, matcher, 1 << 20);
      expect(reference.records).toBe(300);
      expect(reference.where).toEqual(['lane', 'plate']);
      for (const size of [1, 2, 7, 4093, 1 << 20]) {
        expect(await scan(fast, matcher, size)).toEqual(reference);
        if (size < 4093) expect(await scan(slow, matcher, size)).toEqual(reference);
      }
    }
  });

  it('checks a last cell left open at the end of the file', async () => {
    const plate = AGENCY[0]!;
    for (const tail of [[...plate].join(' '), [...plate].join('\u2013'), `"${plate}`]) {
      const result = await scan(`a,b\n1,${tail}`, MATCHER, 3);
      expect([result.records, result.where]).toEqual([1, ['b']]);
    }
  });
});
