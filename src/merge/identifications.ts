import type { Identification, Method } from '../identify/detector.js';
import { strongest } from '../identify/inspect.js';
import type { Asset } from '../report/model.js';
import { compareStrings } from '../util/compare.js';

/**
 * What a single run with the whole fingerprint set would have identified at one location, from what
 * each reference split identified there. Every detector reports at most one identification per item,
 * so the union is reduced per detector by the rule that detector chooses by:
 * - exact: the lowest reference id (one content under two ids: a single run's digest table keeps the
 *   lowest id too);
 * - perceptual: a first-stage match before a crop-aligned one (`transform` says `/aligned:`), then the
 *   lowest distance, then the reference id: the matcher's own ranking, so the best of the splits'
 *   winners is the winner of the whole set;
 * - unverifiable (an opaque digest of a reference's size): one candidate list over every split's
 *   same-size references; never beside an exact match, which the whole set would have found;
 * - record and metadata do not depend on the references (plate digests are not split): the splits agree.
 * The result is in detector order (exact, perceptual, record, metadata), as an inspection lists them.
 */
export function mergeIdentifications(splits: readonly (readonly Identification[])[]): Identification[] {
  const all = splits.flat();
  const of = (method: Method) => all.filter((i) => i.method === method);
  const exact = of('exact').sort((a, b) => compareStrings(a.reference ?? '', b.reference ?? ''))[0];
  const perceptual = of('perceptual').sort(byPerceptualRank)[0];
  const unverifiable = exact ? undefined : mergeUnverifiable(of('unverifiable'));
  return [exact ?? unverifiable, perceptual, of('record')[0], of('metadata')[0]].filter((i): i is Identification => i !== undefined);
}

const isAligned = (i: Identification): boolean => String(i.evidence['transform'] ?? '').includes('/aligned:');

function byPerceptualRank(a: Identification, b: Identification): number {
  return (
    Number(isAligned(a)) - Number(isAligned(b)) ||
    Number(a.evidence['distance']) - Number(b.evidence['distance']) ||
    compareStrings(a.reference ?? '', b.reference ?? '')
  );
}

/** One unverifiable candidate over every split's: counts add up (each reference is in one split), classes unite. */
function mergeUnverifiable(found: readonly Identification[]): Identification | undefined {
  const first = found[0];
  if (!first || found.length === 1) return first;
  const classes = [...new Set(found.flatMap((i) => i.evidence['candidateClasses'] as string[]))].sort(compareStrings);
  const count = found.reduce((n, i) => n + Number(i.evidence['sameSizeReferences']), 0);
  return {
    asset: classes.length === 1 ? classes[0]! : 'unknown',
    method: 'unverifiable',
    evidence: { ...first.evidence, sameSizeReferences: count, candidateClasses: classes },
  };
}

/**
 * The asset a single run reports for these identifications (audit/subject.ts `subjectOf`): the
 * strongest one with its evidence, the others listed in `alsoMatched`. What is the item's own (origin,
 * size, digests, capture date) is the same in every split and is taken from `seen`.
 */
export function assetOf(identifications: readonly Identification[], seen: Asset): Asset {
  const best = strongest(identifications)!;
  const others = identifications
    .filter((i) => i !== best)
    .map((i) => ({ method: i.method, asset: i.asset, ...(i.reference ? { reference: i.reference } : {}) }));
  const { capturedAt, capturedAtField } = seen.evidence;
  return {
    location: seen.location,
    origin: seen.origin,
    asset: best.asset,
    method: best.method,
    ...(best.reference ? { reference: best.reference } : {}),
    size: seen.size,
    ...(seen.sha256 ? { sha256: seen.sha256 } : {}),
    ...(seen.md5 ? { md5: seen.md5 } : {}),
    evidence: {
      ...best.evidence,
      ...(capturedAt !== undefined ? { capturedAt, capturedAtField } : {}),
      ...(others.length > 0 ? { alsoMatched: others } : {}),
    },
  };
}

/** Whether a split's asset is the one the merge chose (same strongest identification). */
export function sameChoice(a: Asset, b: Asset): boolean {
  return a.method === b.method && a.asset === b.asset && a.reference === b.reference;
}
