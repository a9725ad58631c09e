import { captureDate, readImageTags } from '../identify/metadata.js';
import { isImage } from '../identify/sniff.js';
import type { Subject } from '../evaluate/requirement.js';
import type { Asset } from '../report/model.js';
import { sha256Of } from '../identify/exact.js';
import { strongest, type Inspection } from './inspect.js';

/**
 * Turns an inspection with at least one identification into an evaluation subject: the strongest
 * identification becomes the asset; the others stay in its evidence. Images get their capture date
 * (retention must not trust an mtime that copying reset), and every asset gets a content digest when
 * its bytes are reachable, for baselines.
 */
export async function subjectOf(
  inspection: Inspection,
  isAuthorized: (location: string) => boolean,
  containerMode: number | undefined,
): Promise<Subject | undefined> {
  const best = strongest(inspection.identifications);
  if (!best) return undefined;
  const { item, facts } = inspection;
  if (item.content && isImage(inspection.media) && !facts.capturedAt) {
    Object.assign(facts, captureDate(await readImageTags(item).catch(() => undefined)));
  }
  let sha256 = facts.sha256 ?? item.digests?.sha256;
  if (!sha256 && item.content) sha256 = await sha256Of(item).catch(() => undefined);
  const others = inspection.identifications.filter((i) => i !== best).map((i) => ({ method: i.method, asset: i.asset, ...(i.reference ? { reference: i.reference } : {}) }));
  const asset: Asset = {
    location: item.location,
    origin: item.origin,
    asset: best.asset,
    method: best.method,
    ...(best.reference ? { reference: best.reference } : {}),
    size: item.size,
    ...(sha256 ? { sha256 } : {}),
    ...(item.digests?.md5 ? { md5: item.digests.md5 } : {}),
    evidence: {
      ...best.evidence,
      ...(facts.capturedAt ? { capturedAt: facts.capturedAt.toISOString(), capturedAtField: facts.capturedAtField } : {}),
      ...(others.length > 0 ? { alsoMatched: others } : {}),
    },
  };
  const accessMode = item.origin === 'filesystem' ? item.mode : containerMode;
  return { asset, item, facts, authorized: isAuthorized(item.location), ...(accessMode !== undefined ? { accessMode } : {}) };
}
