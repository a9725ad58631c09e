import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher } from '../../../src/identify/plates/matcher.js';
import { PlateTokenizer } from '../../../src/identify/plates/tokenizer.js';
import { rng } from '../../support/fuzz.js';

/**
 * The WebAssembly tokenizer's own seams: one module instance shared by every tokenizer (state saved
 * and restored), inputs kept resident across ranges, a candidate buffer that fills, inputs cut into
 * pieces. What a candidate is, is checked against the shared definition in spelling.test.ts.
 */

const KEY = Buffer.from('wasm-tokenizer-test-key-0123456789', 'utf8');
const AGENCY = ['QRT4821', 'AB12CD', 'XY9', 'ZZ77ZZ'];
const DIGESTS = AGENCY.map((p) => plateDigest(KEY, p));
/** Matcher indexes are in sorted digest order. */
const PLATE_AT = [...DIGESTS].sort().map((d) => AGENCY[DIGESTS.indexOf(d)]!);
const matcher = PlateMatcher.fromHex(KEY, DIGESTS);

/** A tokenizer that records `plate@line` for each hit, in order. */
function recorder(): { tokenizer: PlateTokenizer; hits: string[] } {
  const hits: string[] = [];
  const tokenizer: PlateTokenizer = new PlateTokenizer(matcher, (index) => hits.push(`${PLATE_AT[index]}@${tokenizer.line}`));
  return { tokenizer, hits };
}

function hitsOf(feedAll: (tokenizer: PlateTokenizer) => void): string[] {
  const { tokenizer, hits } = recorder();
  feedAll(tokenizer);
  tokenizer.flush();
  return hits;
}

const PIECES = ['QRT', '4821', 'QRT-4821', 'AB 12 CD', 'ab.12.cd', 'XY9', 'ＸＹ９', 'ZZ77ZZ', 'é', 'ß', '–', '\u00a0', ' ', '\n', ',', 'lane=3', '😀'];

function randomText(seed: number, pieces: number): string {
  const r = rng(seed);
  let text = '';
  for (let k = 0; k < pieces; k++) text += r.pick(PIECES);
  return text;
}

describe('the WebAssembly plate tokenizer', () => {
  it('finds the same plates on the same lines however the bytes are cut (inside UTF-8 sequences too)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = Buffer.from(randomText(seed, 400), 'utf8');
      const whole = hitsOf((t) => t.feed(bytes));
      expect(whole.length).toBeGreaterThan(0);
      const r = rng(seed + 1000);
      const cut = hitsOf((t) => {
        for (let at = 0; at < bytes.length; ) {
          const next = Math.min(bytes.length, at + 1 + r.int(9));
          // Fresh copies: each piece is a new small buffer, as a stream's chunks are.
          t.feed(Buffer.from(bytes.subarray(at, next)));
          at = next;
        }
      });
      expect(cut, `seed ${seed}`).toEqual(whole);
    }
  });

  it('hands out every hit when one input holds more candidates than its buffer (4096)', () => {
    const lines: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Every token is plate-shaped for a matcher without shapes; one line in 97 holds an agency plate.
      const agency = i % 97 === 5 ? AGENCY[i % AGENCY.length]! : undefined;
      lines.push(`N${String(i).padStart(6, '0')} ${agency ?? 'QQ11QQ'} lane${i % 7}`);
      if (agency) expected.push(`${agency}@${i + 1}`);
    }
    const bytes = Buffer.from(lines.join('\n'));
    expect(hitsOf((t) => t.feed(bytes))).toEqual(expected);
  });

  it('keeps each tokenizer state apart when several feed in turn (one shared module)', () => {
    const a = recorder();
    const b = recorder();
    a.tokenizer.line = 10;
    a.tokenizer.feed(Buffer.from('x\nQRT'));
    b.tokenizer.feed(Buffer.from('AB 12'));
    a.tokenizer.feed(Buffer.from('48'));
    b.tokenizer.feed(Buffer.from(' CD\n\nXY'));
    a.tokenizer.feed(Buffer.from('21 \xc3', 'latin1'));
    b.tokenizer.feed(Buffer.from('9 '));
    a.tokenizer.feed(Buffer.from([0xa9, 0x0a])); // completes the é begun in the other feed
    a.tokenizer.flush();
    b.tokenizer.flush();
    expect(a.hits).toEqual(['QRT4821@11']);
    expect(b.hits).toEqual(['AB12CD@1', 'XY9@3']);
    expect(a.tokenizer.line).toBe(12);
    expect(b.tokenizer.line).toBe(3);
  });

  it('reads ranges of a resident chunk around a small buffer fed between them (a CSV quote)', () => {
    const chunk = Buffer.alloc(64 * 1024, 0x2c);
    chunk.write('QRT', 100);
    chunk.write('4821', 104);
    const quote = Uint8Array.of(0x22);
    const hits = hitsOf((t) => {
      t.feed(chunk, 0, 103);
      t.feed(quote);
      t.feed(chunk, 104, 200);
      t.feed(chunk, 95, 103); // the same chunk again: still resident
      t.feed(chunk, 104, chunk.length);
    });
    // `QRT"4821` is two groups (a quote breaks); the last two ranges join as one `QRT4821`.
    expect(hits).toEqual(['QRT4821@1']);
  });

  it('reads a buffer changed in place after release(), and a plate across the 1 MiB pieces of a larger one', () => {
    const buffer = Buffer.alloc(8192, 0x20);
    buffer.write('AB12CD', 10);
    const first = recorder();
    first.tokenizer.feed(buffer, 0, 20);
    first.tokenizer.release();
    buffer.write('ZZ77ZZ', 10);
    first.tokenizer.feed(buffer, 0, 20);
    first.tokenizer.flush();
    expect(first.hits).toEqual(['AB12CD@1', 'ZZ77ZZ@1']);

    const large = Buffer.alloc((1 << 20) + 4096, 0x2e);
    large.write('QRT48', (1 << 20) - 5);
    large.write('21', 1 << 20);
    large.write('\nXY9', large.length - 10);
    expect(hitsOf((t) => t.feed(large))).toEqual(['QRT4821@1', 'XY9@2']);
  });
});
