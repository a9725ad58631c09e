import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { type QuadCandidate, quadCandidates } from '../../src/identify/subimage/quad-candidates.js';
import { QuadSearch } from '../../src/identify/subimage/quad-search.js';
import { SubImageSearch } from '../../src/identify/subimage/sub-image-search.js';
import { bridge, decoded, reference, straightened, unrelated } from './support/perceptual.js';

/**
 * The quad search's turn candidates (the whole frame turned back by its dominant edge angle) are
 * rough-hashed only where the frame shows a plain canvas or one of turn-back's sparse turns came
 * near a stored hash (sub-image-search.ts offAxis): an unrelated photo with a dominant
 * off-axis angle no longer pays for them, and a turned copy is still claimed.
 */
describe('evidence before the quad search hashes turn candidates', () => {
  let search: SubImageSearch;

  beforeAll(async () => {
    const whole = new PerceptualMatcher(pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]));
    search = new SubImageSearch(whole, whole.hamming);
  });

  /** The candidate lists the search hands the quad search while it looks through `bytes`. */
  async function handed(bytes: Buffer): Promise<{ lists: QuadCandidate[][]; turns: number; claimed?: string }> {
    const image = await decoded(bytes);
    const turns = quadCandidates(lowRes(image)).filter((q) => q.method === 'turn').length;
    const lists: QuadCandidate[][] = [];
    const find = QuadSearch.prototype.find;
    const spy = vi.spyOn(QuadSearch.prototype, 'find').mockImplementation(function (this: QuadSearch, ...args) {
      lists.push([...(args[3] ?? [])]);
      return find.apply(this, args);
    });
    try {
      return { lists, turns, claimed: search.find(image)?.match.reference.id };
    } finally {
      spy.mockRestore();
    }
  }

  it('hands no turn candidate to the quad search for a turned unrelated photo with no canvas', async () => {
    const { lists, turns, claimed } = await handed(await straightened(unrelated, 5));
    // The photo has turn candidates of its own, which the search used to hash in eight orientations.
    expect(turns).toBeGreaterThan(0);
    expect(claimed).toBeUndefined();
    expect(lists.flat().filter((q) => q.method === 'turn')).toEqual([]);
  }, 60_000);

  it('still hands them over for a picture turned on a plain canvas, and claims it', async () => {
    const turned = await sharp(bridge).rotate(6, { background: '#000000' }).jpeg({ quality: 85 }).toBuffer();
    const { lists, turns, claimed } = await handed(turned);
    expect(claimed).toBe('refs/bridge.jpg');
    expect(turns).toBeGreaterThan(0);
    expect(lists[0]?.some((q) => q.method === 'turn')).toBe(true);
  }, 60_000);

  it('still claims a straightened copy, whose sparse turns come near', async () => {
    const { claimed } = await handed(await straightened(bridge, 4));
    expect(claimed).toBe('refs/bridge.jpg');
  }, 60_000);
});
