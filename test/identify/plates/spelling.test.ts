import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { CODE_VALUE, PlateMatcher } from '../../../src/identify/plates/matcher.js';
import { findPlateSpellings, plateChar } from '../../../src/identify/plates/spelling.js';
import { PlateTokenizer } from '../../../src/identify/plates/tokenizer.js';
import { redactPlates } from '../../../src/postprocess/redact.js';
import { rng } from '../../support/fuzz.js';

const KEY = Buffer.from('spelling-test-plate-key-0123456789', 'utf8');
const PLATES = ['QRT4821', 'AB12', '12CD', 'AB12CD', 'XY9'];
const DIGESTS = PLATES.map((p) => plateDigest(KEY, p));
/** Matcher indices are in sorted digest order. */
const PLATE_AT = [...DIGESTS].sort().map((d) => PLATES[DIGESTS.indexOf(d)]!);

const isPlate = (plate: string): boolean => PLATES.includes(plate);
const matcher = PlateMatcher.fromHex(KEY, DIGESTS);

/** Plates the scanner counts in `text` (as the bytes of a log). */
function scannerCounts(text: string): Set<string> {
  const counted = new Set<string>();
  const tokenizer = new PlateTokenizer(matcher, (index) => counted.add(PLATE_AT[index]!));
  tokenizer.feed(Buffer.from(text, 'utf8'));
  tokenizer.flush();
  return counted;
}

/** Plates the shared definition finds in `text` as a string. */
function spelled(text: string): Set<string> {
  return new Set(findPlateSpellings(text, isPlate).map((s) => s.plate));
}

describe('plate spellings inside text (one definition for scanner and redactor)', () => {
  it('classifies ASCII as the scanner tables do', () => {
    for (let b = 0; b < 0x80; b++) {
      const kind = plateChar(b);
      expect(typeof kind === 'string' && kind !== 'sep' && kind !== 'break', `byte ${b}`).toBe(CODE_VALUE[b]! > 0);
    }
    expect([' ', '-', '.'].map((c) => plateChar(c.charCodeAt(0)))).toEqual(['sep', 'sep', 'sep']);
    expect(['\t', '\n', '_', '/', '='].map((c) => plateChar(c.charCodeAt(0)))).toEqual(['break', 'break', 'break', 'break', 'break']);
  });

  it.each([
    ['crop QRT–4821.jpg', 'en dash'],
    ['read plate=QRT—4821', 'em dash'],
    ['QRT\u22124821', 'minus sign'],
    ['QRT\u00a04821', 'no-break space'],
    ['QRT\u30004821', 'ideographic space'],
    ['QRT  4821', 'two spaces'],
    ['QRT - 4821', 'spaced hyphen'],
    ['QRT..4821', 'two dots'],
    ['éQRT4821é', 'non-ASCII letters touching'],
    ['ＱＲＴ４８２１', 'full width'],
    ['qrt-4821', 'lower case'],
  ])('%j (%s) is a spelling of QRT4821 for both', (text) => {
    expect(spelled(text).has('QRT4821')).toBe(true);
    expect(scannerCounts(text).has('QRT4821')).toBe(true);
    expect(redactPlates(text, isPlate)).not.toMatch(/QRT|4821|ＱＲＴ|４８２１/iu);
  });

  it.each([
    ['QRT    4821', 'four separators'],
    ['QRT_4821', 'underscore'],
    ['QRT\t4821', 'tab'],
    ['XQRT4821', 'a longer group'],
    ['QRT4821ß', 'ß folds to SS, into the group'],
    ['Q R T 4821', 'four groups'],
  ])('%j (%s) is not QRT4821 for either', (text) => {
    expect(spelled(text).has('QRT4821')).toBe(false);
    expect(scannerCounts(text).has('QRT4821')).toBe(false);
  });

  it('masks the union of overlapping spellings and keeps the rest', () => {
    expect(redactPlates('AB 12 CD', isPlate)).toBe('[plate]');
    expect(redactPlates('crop QRT–4821.jpg', isPlate)).toBe('crop [plate].jpg');
    expect(redactPlates('QRT4821é', isPlate)).toBe('[plate]é');
    expect(redactPlates('a/QRT 4821/b QRT-4821.png', isPlate)).toBe('a/[plate]/b [plate].png');
    expect(redactPlates('nothing here', isPlate)).toBe('nothing here');
  });

  it('masks a plate in a name that is not UTF-8, shown with its bytes escaped (a Latin-1 no-break space)', () => {
    // filesystem.ts displayName writes such a name's bytes as \xHH: QRT<NBSP>4821 becomes QRT\xa04821.
    expect(redactPlates('crops/QRT\\xa04821 caf\\xe9.jpg', isPlate)).toBe('crops/[plate] caf\\xe9.jpg');
    expect(redactPlates('QRT\\x2d4821', isPlate)).toBe('[plate]');
    expect(redactPlates('caf\\xe9 \\x5c plain', isPlate)).toBe('caf\\xe9 \\x5c plain');
  });

  it('finds exactly what the scanner counts, on random text (seeded)', () => {
    const pieces = [
      'QRT',
      '4821',
      'QRT4821',
      'AB',
      '12',
      'CD',
      'XY',
      '9',
      'Q',
      'x',
      'ab',
      'ＡＢ',
      '１２',
      'ß',
      'é',
      'ﬁ',
      'Ж',
      ' ',
      ' ',
      '-',
      '.',
      '–',
      '—',
      '\u2212',
      '\u00a0',
      '\u3000',
      '．',
      '_',
      '/',
      '\t',
      '\n',
      '=',
      '😀',
      'ABCDEFGHIJK',
    ];
    const r = rng(22);
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let k = r.int(12); k >= 0; k--) text += r.pick(pieces);
      expect(spelled(text), JSON.stringify(text)).toEqual(scannerCounts(text));
    }
  });
});
