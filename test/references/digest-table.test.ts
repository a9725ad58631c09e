import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PlateMatcher } from '../../src/identify/plates/matcher.js';
import { columnsFromReferences, compareIds } from '../../src/references/columns.js';
import { DigestTable, hasSorted, orderBySize, sizeRange, sortedSizes } from '../../src/references/digest-table.js';
import { FingerprintIndex } from '../../src/references/index-set.js';

const sha = (text: string) => createHash('sha256').update(text).digest();

describe('DigestTable', () => {
  const digests = Array.from({ length: 5000 }, (_, i) => sha(String(i)));
  // Reference 4999 repeats reference 17's digest: the earlier one wins.
  digests[4999] = digests[17]!;
  const column = new Uint8Array(Buffer.concat(digests));
  const table = new DigestTable(column, 32);

  it('finds every digest at its first reference, and nothing else', () => {
    for (let i = 0; i < 4999; i++) expect(table.find(digests[i]!.toString('hex'))).toBe(i);
    expect(table.find(sha('absent').toString('hex'))).toBe(-1);
    expect(table.find('zz'.repeat(32))).toBe(-1);
    expect(table.find('ab')).toBe(-1);
  });

  it('works for 16-byte digests (MD5) too', () => {
    const md5s = Array.from({ length: 300 }, (_, i) => createHash('md5').update(String(i)).digest());
    const md5 = new DigestTable(new Uint8Array(Buffer.concat(md5s)), 16);
    expect(md5.find(md5s[123]!.toString('hex'))).toBe(123);
    expect(md5.find(createHash('md5').update('x').digest('hex'))).toBe(-1);
  });

  it('answers the size prefilter by binary search over distinct sizes', () => {
    const sorted = sortedSizes(Float64Array.from([5, 3, 5, 1e12, 0]));
    expect([...sorted]).toEqual([0, 3, 5, 1e12]);
    for (const v of [0, 3, 5, 1e12]) expect(hasSorted(sorted, v)).toBe(true);
    for (const v of [-1, 1, 4, 6, 2e12]) expect(hasSorted(sorted, v)).toBe(false);
  });
});

describe('PlateMatcher over digest tables', () => {
  const key = randomBytes(32);
  const plates = Array.from({ length: 40_000 }, (_, i) => `AB${String(i).padStart(5, '0')}`);
  const hex = plates.map((p) => createHmac('sha256', key).update(p).digest('hex'));

  it('finds every plate among 40,000 (bucketed by the first bits) and no other', () => {
    const matcher = PlateMatcher.fromHex(key, hex);
    const sorted = [...hex].sort();
    for (let i = 0; i < plates.length; i += 97) expect(matcher.matchText(plates[i]!)).toBe(sorted.indexOf(hex[i]!));
    expect(matcher.matchText('ZZ99999')).toBe(-1);
    expect(matcher.size).toBe(40_000);
  });

  it('merges several sorted tables into one, sorted and distinct', () => {
    const table = (digests: string[]) => new Uint8Array(Buffer.concat([...new Set(digests)].sort().map((h) => Buffer.from(h, 'hex'))));
    const merged = new PlateMatcher(key, [table(hex.slice(0, 300)), table(hex.slice(200, 500))]);
    expect(merged.size).toBe(500);
    expect(merged.matchText(plates[250]!)).toBe([...hex.slice(0, 500)].sort().indexOf(hex[250]!));
    expect(merged.matchText(plates[600]!)).toBe(-1);
  });
});

describe('ids compared in string order from their bytes', () => {
  it('agrees with JavaScript string order, also where UTF-8 byte order does not (U+E000-U+FFFF against astral characters)', () => {
    const ids = ['\uFF21', '😀', 'a', 'b/\uE000', 'b/😀x', 'b', 'é', 'b/z'];
    const { columns } = columnsFromReferences(ids.map((id) => ({ id, class: 'c', size: 1, sha256: '0'.repeat(64), md5: '0'.repeat(32), media: 'image/jpeg' })));
    const order = ids.map((_, i) => i).sort((a, b) => compareIds(columns, a, b));
    expect(order.map((i) => ids[i])).toEqual([...ids].sort());
  });

  it('gives a shared digest to the reference with the lowest id, whatever the set order', () => {
    const sha = createHash('sha256').update('same').digest('hex');
    const ref = (id: string) => ({ id, class: 'c', size: 1, sha256: sha, md5: '0'.repeat(32), media: 'image/jpeg' });
    const { columns, tables } = columnsFromReferences([ref('z.jpg'), ref('a.jpg')]);
    const index = new FingerprintIndex([
      { path: 'x', format: 'custody-fingerprints', version: 1, digest: 'sha256:0', columns, tables, file: undefined as never },
    ]);
    expect(index.label(index.bySha(sha)).id).toBe('a.jpg');
  });
});

describe('references ordered by size (opaque objects: how many references share a size)', () => {
  it('orders by size like a comparator sort, ties in reference order, and finds each size range', () => {
    let s = 7;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s);
    const sizes = Float64Array.from({ length: 5000 }, (_, i) => (i % 10 === 0 ? 0 : i % 7 === 0 ? 2 ** 52 - (next() % 3) : (next() % 400) * 1000 + (i % 3)));
    const order = orderBySize(sizes);
    const expected = Array.from({ length: sizes.length }, (_, i) => i).sort((a, b) => sizes[a]! - sizes[b]! || a - b);
    expect([...order]).toEqual(expected);
    for (const size of [0, 2 ** 52 - 1, 1000, 1001, 399_002, 5, -1]) {
      const [from, to] = sizeRange(sizes, order, size);
      expect(to - from).toBe([...sizes].filter((v) => v === size).length);
      for (let k = from; k < to; k++) expect(sizes[order[k]!]).toBe(size);
    }
  });
});
