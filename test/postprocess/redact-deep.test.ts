import { describe, expect, it } from 'vitest';
import { redactDeep } from '../../src/postprocess/redact.js';

const mask = (text: string) => text.replaceAll('QRT4821', '[plate]');

describe('redactDeep: every string of a JSON-like value, keys included, in a copy', () => {
  it('masks strings in nested arrays and objects and in keys, leaving other values as they are', () => {
    const when = new Date('2026-01-02T03:04:05Z');
    const value = {
      location: 'crops/QRT4821.jpg',
      counts: { 'QRT4821.jpg': 2, other: 1 },
      list: [['QRT4821', 7, null], { deep: ['x QRT4821 y', true] }],
      when,
      missing: undefined,
    };
    const out = redactDeep(value, mask);
    expect(out).toEqual({
      location: 'crops/[plate].jpg',
      counts: { '[plate].jpg': 2, other: 1 },
      list: [['[plate]', 7, null], { deep: ['x [plate] y', true] }],
      when,
      missing: undefined,
    });
    expect(Object.keys(out)).toEqual(['location', 'counts', 'list', 'when', 'missing']);
    expect(Object.keys(out.counts)).toEqual(['[plate].jpg', 'other']);
    // A copy: the input is untouched and shares no object or array with the output.
    expect(value.location).toBe('crops/QRT4821.jpg');
    expect(out.list).not.toBe(value.list);
    expect(out.list[0]).not.toBe(value.list[0]);
    expect(out.counts).not.toBe(value.counts);
    expect(out.when).toBe(when);
  });

  it('keeps a key spelled __proto__ as an own property, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"QRT4821": 1}, "a": "QRT4821"}') as Record<string, unknown>;
    const out = redactDeep(value, mask);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"[plate]":1},"a":"[plate]"}');
  });

  it('gives the same copy as the entries-based walk it replaced', () => {
    const reference = (value: unknown): unknown => {
      if (typeof value === 'string') return mask(value);
      if (Array.isArray(value)) return value.map(reference);
      if (value instanceof Date || value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), reference(v)]));
    };
    const value = { a: [{ QRT4821: ['QRT4821', { b: 'QRT4821c' }] }, 3, 'z'], c: { d: { e: [] } }, f: false };
    expect(JSON.stringify(redactDeep(value, mask))).toBe(JSON.stringify(reference(value)));
  });
});
