import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher } from '../../../src/identify/plates/matcher.js';
import { scanPlates } from '../../../src/identify/plates/scan.js';
import { findPlateSpellings } from '../../../src/identify/plates/spelling.js';
import { PlateTokenizer } from '../../../src/identify/plates/tokenizer.js';

/**
 * The byte loop at every position of a 16- and 32-byte block: a loop that classifies several bytes at
 * once (or is unrolled) must find what the shared definition (spelling.ts) finds wherever a plate, its
 * separators, a too-long group or a chunk end falls in the block. Kept after a 16-byte (SIMD) run
 * search measured slower than the scalar loop (issue 20), for the next attempt at one.
 */

const KEY = Buffer.from('block-offsets-test-key-0123456789', 'utf8');
const AGENCY = ['QRT4821', 'AB12CD', 'XY9', 'ZZ77ZZ'];
const DIGESTS = AGENCY.map((p) => plateDigest(KEY, p));
/** Matcher indexes are in sorted digest order. */
const PLATE_AT = [...DIGESTS].sort().map((d) => AGENCY[DIGESTS.indexOf(d)]!);
const matcher = PlateMatcher.fromHex(KEY, DIGESTS);

/** Spellings placed in the block: plain, joined by 1-3 separators, lower case, one run too long to count. */
const SPELLINGS = ['QRT4821', 'QRT-4821', 'ab.12.cd', 'QRT - 4821', 'XY9', 'ZZ 77 ZZ', 'QRT4821QRT4821'];
/** Bytes before a spelling: prose, digits and separators that must not join it (a break ends them). */
const FILLER = 'lane 7 event read 2026-10-01 00 gateway conf 0.87 batch';

/** The text with `spelling` starting at byte `offset`, then more filler across the next block. */
function placed(spelling: string, offset: number): string {
  const before = offset === 0 ? '' : `${FILLER.slice(0, offset - 1)}_`;
  return `${before}${spelling}=${FILLER}\n${FILLER}`;
}

/** Hits of the WebAssembly tokenizer on `bytes`, fed in pieces cut at `cuts`. */
function tokenizerHits(bytes: Buffer, cuts: readonly number[] = []): string[] {
  const hits: string[] = [];
  const tokenizer = new PlateTokenizer(matcher, (index) => hits.push(PLATE_AT[index]!));
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    // A fresh copy: the module reads each piece where the caller's buffer left it.
    tokenizer.feed(Buffer.from(bytes.subarray(at, cut)));
    at = cut;
  }
  tokenizer.flush();
  return hits.sort();
}

const expected = (text: string): string[] =>
  findPlateSpellings(text, (plate) => AGENCY.includes(plate))
    .map((s) => s.plate)
    .sort();

describe('the plate byte loop at every offset of a block', () => {
  it('finds each spelling starting (and so ending) at every offset 0-31, as the shared definition does', () => {
    for (const spelling of SPELLINGS) {
      for (let offset = 0; offset < 32; offset++) {
        const text = placed(spelling, offset);
        const want = expected(text);
        expect(want.length, `${spelling} at ${offset}`).toBe(spelling === 'QRT4821QRT4821' ? 0 : 1);
        expect(tokenizerHits(Buffer.from(text)), `${spelling} at ${offset}`).toEqual(want);
      }
    }
  });

  it('finds a plate after a run of 1-33 letters and digits and a separator, the run starting at offsets 0-16', () => {
    // A block classified from a run's start (not an aligned address) ends the run where the block does.
    for (let offset = 0; offset <= 16; offset++) {
      for (let run = 1; run <= 33; run++) {
        for (const between of [' ', '_', ' - ']) {
          const text = `${'_'.repeat(offset)}${'z9'.repeat(run).slice(0, run)}${between}QRT4821_${FILLER}`;
          const want = expected(text);
          expect(want, text).toContain('QRT4821');
          expect(tokenizerHits(Buffer.from(text)), text).toEqual(want);
        }
      }
    }
  });

  it('finds the same when a chunk ends at any byte of the block', () => {
    for (const spelling of ['QRT - 4821', 'ab.12.cd', 'QRT4821QRT4821']) {
      for (const offset of [0, 9, 15, 16, 17, 30]) {
        const bytes = Buffer.from(placed(spelling, offset));
        const want = expected(bytes.toString());
        for (let cut = 1; cut < 48; cut++) expect(tokenizerHits(bytes, [cut]), `${spelling} at ${offset}, cut ${cut}`).toEqual(want);
      }
    }
  });

  it('reads UTF-8 and UTF-16 text with non-ASCII characters around the block edges, in chunks of 1-33 bytes', async () => {
    // Full-width letters fold to ASCII; é breaks; a no-break space separates.
    const text = `${'ÉÉÉ é '.repeat(3)}ＱＲＴ4821 x\u00a0AB 12\u00a0CD é${FILLER}\nZZ77ZZé\n`;
    const want = expected(text);
    expect(want).toEqual(['AB12CD', 'QRT4821', 'ZZ77ZZ']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    for (const bytes of [Buffer.from(text), utf16]) {
      for (let chunk = 1; chunk <= 33; chunk++) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
        const result = await scanPlates(Readable.from(chunks), matcher);
        expect(result.records, `chunks of ${chunk}`).toBe(3);
      }
    }
  });

  it('reads CSV cells that cross block edges, quoted and not, in chunks of 1-33 bytes', async () => {
    const rows = ['id,when,plate,note'];
    for (let i = 0; i < 12; i++)
      rows.push(`${i},2026-10-0${i % 9}T00:00:0${i % 10}Z,${i % 3 === 0 ? 'QRT 4821' : i % 3 === 1 ? '"ab-12-cd"' : 'XXX1234'},"lane ${i}, ""ZZ77ZZ"""`);
    const bytes = Buffer.from(`${rows.join('\n')}\n`);
    for (let chunk = 1; chunk <= 33; chunk++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
      const result = await scanPlates(Readable.from(chunks), matcher);
      expect(result.format, `chunks of ${chunk}`).toBe('csv');
      expect(result.records, `chunks of ${chunk}`).toBe(3);
    }
  });
});
