import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { gateIndex, PlateMatcher, plateShape, plateShapes, shapeGate } from '../../../src/identify/plates/matcher.js';
import { scanPlates } from '../../../src/identify/plates/scan.js';

const KEY = Buffer.from('matcher-test-key-0123456789abcdef');
const PLATES = ['ABC1234', '12345', 'HELLO', 'AB12CD'];
const digests = PLATES.map((p) => plateDigest(KEY, p));

describe('plate shapes', () => {
  it('maps letters to L and digits to D, and lists distinct shapes sorted', () => {
    expect(plateShape('ABC1234')).toBe('LLLDDDD');
    expect(plateShapes(['ABC1234', 'XYZ9876', '12345'])).toEqual(['DDDDD', 'LLLDDDD']);
  });

  it('gates exactly the listed shapes, and every shape when the list is absent or malformed', () => {
    const gate = shapeGate(['LLLDDDD']);
    expect(gate[gateIndex(7, 0b1110000)]).toBe(1);
    expect(gate[gateIndex(7, 0b1111000)]).toBe(0);
    expect(gate[gateIndex(6, 0b111000)]).toBe(0);
    for (const full of [shapeGate(), shapeGate(['LLX'])]) {
      expect(full[gateIndex(2, 0)]).toBe(1);
      expect(full[gateIndex(10, 0b1111111111)]).toBe(1);
      expect(full[gateIndex(1, 1)]).toBe(0);
    }
  });
});

describe('PlateMatcher', () => {
  it('finds agency plates as written, whatever the spelling, and nothing else', () => {
    const matcher = PlateMatcher.fromHex(KEY, [...digests, digests[0]!]);
    expect(matcher.size).toBe(4);
    const sorted = [...new Set(digests)].sort();
    expect(matcher.matchText('abc-1234')).toBe(sorted.indexOf(digests[0]!));
    expect(matcher.matchText('hello')).toBe(sorted.indexOf(digests[2]!));
    expect(matcher.matchText('ab 12 cd')).toBe(sorted.indexOf(digests[3]!));
    expect(matcher.matchText('ABC1235')).toBe(-1);
    expect(matcher.matchText('ABC1234!')).toBe(-1);
    // Cached answers agree with fresh ones.
    expect(matcher.matchText('ABC1234')).toBe(matcher.matchText('abc 1234'));
  });

  it('never digests a shape the agency set does not have (so it cannot find it)', () => {
    const matcher = PlateMatcher.fromHex(KEY, digests, ['LLLDDDD']);
    expect(matcher.matchText('ABC1234')).toBeGreaterThanOrEqual(0);
    expect(matcher.matchText('HELLO')).toBe(-1);
  });

  it('finds a plate in a quoted CSV cell or a JSON string of megabytes, and past deep nesting', async () => {
    const matcher = PlateMatcher.fromHex(KEY, digests, plateShapes(PLATES));
    const filler = 'lorem ipsum 0123 '.repeat(70_000);
    const csv = `id,note\n1,"${filler} abc-1234 ${filler}"\n`;
    const json = JSON.stringify({ note: `${filler} AB 12 CD ${filler}` });
    const deep = `${'['.repeat(200)}"hello"${']'.repeat(200)}`;
    const chunks = (text: string) => Readable.from(chunk(Buffer.from(text), 65536));
    expect(await scanPlates(chunks(csv), matcher)).toMatchObject({ format: 'csv', records: 1, where: ['note'] });
    expect(await scanPlates(chunks(json), matcher)).toMatchObject({ format: 'json', records: 1, where: ['$.note'] });
    expect(await scanPlates(chunks(deep), matcher)).toMatchObject({ records: 1 });
    const escaped = '{"a":"\\u0041BC-1234","b":"\\uFF28\\uFF25LLO"}';
    expect(await scanPlates(chunks(escaped), matcher)).toMatchObject({ format: 'json', records: 2, where: ['$.a', '$.b'] });
  });
});

function chunk(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
