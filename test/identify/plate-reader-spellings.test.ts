import { describe, expect, it } from 'vitest';
import { gatedRegions, lumaOf, MAX_REGIONS, textRegions } from '../../src/identify/plate-reader/gate.js';
import { confidentWord, WORD_PROBABILITY } from '../../src/identify/plate-reader/read-plates.js';
import { ctcDecode, type ReadLine } from '../../src/identify/plate-reader/recognise.js';
import { lineCandidates, MAX_SPELLINGS_PER_CANDIDATE, spellingsOf } from '../../src/identify/plate-reader/spellings.js';

const line = (text: string, probability = 0.99): ReadLine => ({ chars: [...text].map((char) => ({ char, probability })), confidence: probability });

describe('plate candidates in a line read', () => {
  it('takes groups and runs of groups of 4-10 plate characters, and skips time stamps', () => {
    const plates = lineCandidates(line('QRT 4821 20140617142016')).map((c) => c.map((r) => r.char).join(''));
    expect(plates).toEqual(['QRT4821', '4821']);
  });
  it('upper-cases and splits at anything that is not a letter or digit', () => {
    const plates = lineCandidates(line('ab·12-cd')).map((c) => c.map((r) => r.char).join(''));
    expect(plates).toEqual(['AB12', 'AB12CD', '12CD']);
  });
});

describe('a box read once', () => {
  it('is one whose first read is a sure word: letters and no digit, likely enough', () => {
    expect(confidentWord(line('TOYOTA'))).toBe(true);
    expect(confidentWord(line('right-hand', WORD_PROBABILITY))).toBe(true);
  });
  it('is not one with a digit, an unsure one, or one with no letter (a plate may still be clipped)', () => {
    expect(confidentWord(line('627WW'))).toBe(false);
    expect(confidentWord(line('ACOMTV', 0.79))).toBe(false);
    expect(confidentWord(line('--', 1))).toBe(false);
    expect(confidentWord(line(''))).toBe(false);
  });
});

describe('confusion spellings', () => {
  it('tries the text as read first, then each table confusion, then pairs, bounded', () => {
    const [candidate] = lineCandidates(line('OSC719', 0.9));
    const spellings = spellingsOf(candidate!);
    expect(spellings[0]).toBe('OSC719');
    expect(spellings).toContain('0SC719');
    expect(spellings).toContain('O5C719');
    expect(spellings).toContain('05C719');
    expect(new Set(spellings).size).toBe(spellings.length);
    expect(spellings.length).toBeLessThanOrEqual(MAX_SPELLINGS_PER_CANDIDATE);
  });
  it('tries M/N and 1/L, as small US plates are misread (openalpr: 002HHM read 002HHN, YF2L6G read YF2166)', () => {
    expect(spellingsOf(lineCandidates(line('002HHN', 0.8))[0]!)).toContain('002HHM');
    expect(spellingsOf(lineCandidates(line('YF2166', 0.8))[0]!)).toContain('YF2L6G');
  });
  it("uses the recogniser's runner-up for shapes the table does not list", () => {
    const read: ReadLine = {
      chars: [...'CH0PBY'].map((char, i) => ({ char, probability: 0.9, ...(i === 0 ? { alternative: { char: 'G', probability: 0.3 } } : {}) })),
      confidence: 0.9,
    };
    expect(spellingsOf(lineCandidates(read)[0]!)).toContain('GH0P8Y');
  });
  it('never replaces more than two characters', () => {
    const spellings = spellingsOf(lineCandidates(line('OOOOOO', 0.5))[0]!);
    for (const s of spellings) expect([...s].filter((c) => c !== 'O').length).toBeLessThanOrEqual(2);
    expect(spellings.length).toBe(MAX_SPELLINGS_PER_CANDIDATE);
  });
});

describe('CTC decoding', () => {
  it('merges repeats, drops blanks and keeps the runner-up among plate characters', () => {
    const alphabet = ['', 'A', 'B', '-', '8'];
    // Steps: A, A, blank, B (runner-up 8), -, B.
    const rows = [
      [0, 0.9, 0, 0, 0.1],
      [0, 0.9, 0, 0, 0.1],
      [0.9, 0.1, 0, 0, 0],
      [0, 0, 0.7, 0, 0.3],
      [0, 0, 0, 1, 0],
      [0, 0, 0.8, 0.2, 0],
    ];
    const read = ctcDecode(Float32Array.from(rows.flat()), rows.length, 5, alphabet, [1, 2, 4]);
    expect(read.chars.map((c) => c.char).join('')).toBe('AB-B');
    expect(read.chars[1]!.alternative).toEqual({ char: '8', probability: expect.closeTo(0.3, 5) });
  });
});

describe('the text-likelihood gate', () => {
  it('finds nothing on a smooth plane and a band of strokes where they are', () => {
    const width = 256;
    const height = 128;
    const smooth = Uint8Array.from({ length: width * height }, (_, i) => (i % width) / 2);
    expect(textRegions(lumaOf(smooth, width, height, 1))).toEqual([]);
    const strokes = Uint8Array.from(smooth);
    for (let y = 60; y < 76; y++) for (let x = 100; x < 160; x++) strokes[y * width + x] = (x >> 2) % 2 === 0 ? 20 : 230;
    const regions = textRegions(lumaOf(strokes, width, height, 1));
    expect(regions).toHaveLength(1);
    const r = regions[0]!;
    expect(r.x).toBeLessThanOrEqual(100);
    expect(r.x + r.width).toBeGreaterThanOrEqual(160);
    expect(r.y).toBeLessThanOrEqual(60);
    expect(r.y + r.height).toBeGreaterThanOrEqual(76);
  });

  it('says how many text-like places it left out past its bound (the detector reports them, never a clean pass)', () => {
    const width = 512;
    const height = 512;
    const plane = new Uint8Array(width * height).fill(128);
    // Ten separate bands of strokes, far enough apart not to merge.
    for (let band = 0; band < 10; band++) {
      const top = 20 + (band >> 1) * 96;
      const left = (band & 1) === 0 ? 30 : 290;
      for (let y = top; y < top + 16; y++) for (let x = left; x < left + 60; x++) plane[y * width + x] = (x >> 2) % 2 === 0 ? 20 : 230;
    }
    const { regions, extra, dropped, blobs } = gatedRegions(lumaOf(plane, width, height, 1));
    expect(regions.length).toBeLessThanOrEqual(MAX_REGIONS);
    // The places past the largest are given to be tested one by one; none is left out at ten.
    expect(blobs).toBe(10);
    expect(extra.length).toBe(10 - MAX_REGIONS);
    expect(dropped).toBe(0);
    const one = new Uint8Array(width * height).fill(128);
    for (let y = 20; y < 36; y++) for (let x = 30; x < 90; x++) one[y * width + x] = (x >> 2) % 2 === 0 ? 20 : 230;
    expect(gatedRegions(lumaOf(one, width, height, 1)).dropped).toBe(0);
  });
});
