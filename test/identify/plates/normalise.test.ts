import { describe, expect, it } from 'vitest';
import { foldCodePoint, isNormalisedPlate, normalisePlate } from '../../../src/identify/plates/normalise.js';

describe('normalisePlate (v1)', () => {
  it.each([
    ['ABC1234', 'ABC1234'],
    ['abc1234', 'ABC1234'],
    ['abc-1234', 'ABC1234'],
    ['ABC 1234', 'ABC1234'],
    ['AB-12-CD', 'AB12CD'],
    ['ab.12.cd', 'AB12CD'],
    ['  AB 12  CD\t', 'AB12CD'],
    ['AB – 12 — CD', 'AB12CD'], // en and em dash
    ['AB\u00a012\u2212CD', 'AB12CD'], // no-break space, minus sign
    ['ＡＢＣ１２３４', 'ABC1234'], // full-width
    ['ﬁ123', 'FI123'], // ligature folds to two letters
    ['12-345-67', '1234567'],
    ['HELLO', 'HELLO'],
    ['A1', 'A1'],
    ['ABCDE12345', 'ABCDE12345'],
  ])('%j → %s', (raw, expected) => {
    expect(normalisePlate(raw)).toBe(expected);
  });

  it.each([
    [''],
    ['A'],
    ['-'],
    ['ABCDE123456'], // 11
    ['ABC_1234'],
    ['ABC/1234'],
    ['ÄBC123'],
    ['ABC123!'],
  ])('%j is not a plate', (raw) => {
    expect(normalisePlate(raw)).toBeUndefined();
  });

  it('is idempotent', () => {
    for (const raw of ['abc-1234', 'ＡＢ 12', 'x.y.z.1']) {
      const once = normalisePlate(raw);
      expect(once).toBeDefined();
      expect(normalisePlate(once!)).toBe(once);
      expect(isNormalisedPlate(once!)).toBe(true);
    }
  });

  it('folds single characters the same way', () => {
    expect(foldCodePoint('ｂ'.codePointAt(0)!)).toBe('B');
    expect(foldCodePoint('ß'.codePointAt(0)!)).toBe('SS');
    expect(foldCodePoint(0x2013)).toBe('sep');
    expect(foldCodePoint(0x00a0)).toBe('sep');
    expect(foldCodePoint('é'.codePointAt(0)!)).toBe('break');
  });
});
