import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonPieces } from '../../src/util/canonical-json.js';

describe('canonicalJsonPieces', () => {
  const values: unknown[] = [
    null,
    3,
    'text',
    [],
    {},
    [1, undefined, 'x', null, { b: 1, a: [2, { d: 4, c: 3 }] }],
    { z: 1, a: undefined, m: [{ y: 2, x: [1, 2, { q: 'é\u2028' }] }], b: { d: { f: 1, e: 2 }, c: null } },
    { 10: 1, 9: 2, b: [Symbol('s'), () => 1], a: Symbol('t'), c: () => 2 },
    { when: new Date(0), custom: { toJSON: () => 5 }, list: [new Date(1)] },
    { format: 'custody-fingerprints', references: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, size: i, pdq: [{ variant: 'full', hash: 'ab' }] })) },
  ];

  it.each(values.map((v) => [JSON.stringify(v) ?? 'undefined', v]))('joins to canonicalJson: %s', (_shown, value) => {
    for (const depth of [0, 1, 2, 3, 8]) expect([...canonicalJsonPieces(value, depth)].join('')).toBe(canonicalJson(value));
  });

  it('splits a large array into one piece per element, so no piece holds the whole', () => {
    const set = { references: Array.from({ length: 1000 }, (_, i) => ({ id: `r${i}` })) };
    const pieces = [...canonicalJsonPieces(set)];
    expect(pieces.length).toBeGreaterThan(1000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(40);
  });
});
