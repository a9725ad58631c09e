import { describe, expect, it } from 'vitest';
import { maxCopies } from '../../src/policy/requirements/max-copies.js';

describe('max-copies evidence', () => {
  it('counts classes in class order, whatever order the items were inspected in', () => {
    const subject = (asset: string, reference: string) => ({ asset: { asset, reference }, authorized: false });
    const subjects = [subject('vehicle-image', 'v1'), subject('traveler-image', 't1'), subject('vehicle-image', 'v2'), subject('agency-data', 'a1')];
    const check = (list: typeof subjects) =>
      maxCopies.check(list as never, { kind: 'max-copies', max: 1 }, { scope: '.' } as never)[0]!.evidence['byClass'] as Record<string, number>;
    const forward = check(subjects);
    const backward = check([...subjects].reverse());
    expect(Object.keys(forward)).toEqual(['agency-data', 'traveler-image', 'vehicle-image']);
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward['vehicle-image']).toBe(2);
  });
});
