import { describe, expect, it } from 'vitest';
import { SeenSet } from '../../../src/identify/pdq/seen-set.js';
import { xorshift } from '../../support/xorshift.js';

describe('SeenSet: the entries one search visited', () => {
  it('adds an entry once per search, and forgets every entry when cleared', () => {
    const set = new SeenSet();
    set.clear();
    expect(set.add(7)).toBe(true);
    expect(set.add(7)).toBe(false);
    expect(set.add(0)).toBe(true);
    expect(set.add(0)).toBe(false);
    set.clear();
    expect(set.add(7)).toBe(true);
    expect(set.add(0)).toBe(true);
  });

  it('keeps every entry of a crowded search as it grows, like a Set of the same entries', () => {
    const set = new SeenSet();
    const next = xorshift(11);
    for (let search = 0; search < 3; search++) {
      set.clear();
      const reference = new Set<number>();
      // Far past the first room (1,024 slots), with repeats: entries drawn from a range of 20,000.
      for (let k = 0; k < 30_000; k++) {
        const entry = next() % 20_000;
        expect(set.add(entry)).toBe(!reference.has(entry));
        reference.add(entry);
      }
    }
  });

  it('works before its first clear, and with entries spaced by a power of two', () => {
    const set = new SeenSet();
    expect(set.add(0)).toBe(true);
    expect(set.add(5)).toBe(true);
    expect(set.add(0)).toBe(false);
    set.clear();
    for (let k = 0; k < 4_000; k++) expect(set.add(k * 8192)).toBe(true);
    for (let k = 0; k < 4_000; k++) expect(set.add(k * 8192)).toBe(false);
  });
});
