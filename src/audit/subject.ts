import type { Subject } from '../evaluate/requirement.js';
import { sha256Of } from '../identify/exact.js';
import { type Inspection, strongest } from '../identify/inspect.js';
import { captureDate, readImageTags } from '../identify/metadata.js';
import type { Asset } from '../report/model.js';
import { ownAccessMode } from '../sources/item.js';
import { isImage } from '../sources/sniff.js';

/**
 * Completes the facts of an identified item: images get their capture date (retention must not
 * trust an mtime that copying reset), and every asset gets a content digest when its bytes are
 * reachable, for baselines. Both land in `inspection.facts`, so a cached inspection replays without
 * reading. Returns false when a read failed: the facts are then incomplete and must not be cached.
 */
export async function settleFacts(inspection: Inspection): Promise<boolean> {
  if (inspection.identifications.length === 0) return true;
  const { item, facts } = inspection;
  let settled = true;
  const failed = (): undefined => void (settled = false);
  if (item.content && isImage(inspection.media) && !facts.capturedAt) {
    Object.assign(facts, captureDate(await readImageTags(item).catch(failed)));
  }
  if (!facts.sha256 && !item.digests?.sha256 && item.content) {
    const sha256 = await sha256Of(item).catch(failed);
    if (sha256) facts.sha256 = sha256;
  }
  return settled;
}

/**
 * Turns an inspection with at least one identification into an evaluation subject (after
 * {@link settleFacts}): the strongest identification becomes the asset; the others stay in its evidence.
 */
export function subjectOf(inspection: Inspection, isAuthorized: (location: string) => boolean, containerMode: number | undefined): Subject | undefined {
  const best = strongest(inspection.identifications);
  if (!best) return undefined;
  const { item, facts } = inspection;
  const sha256 = facts.sha256 ?? item.digests?.sha256;
  const others = inspection.identifications
    .filter((i) => i !== best)
    .map((i) => ({ method: i.method, asset: i.asset, ...(i.reference ? { reference: i.reference } : {}) }));
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
      ...(item.history ? { history: item.history } : {}),
    },
  };
  // An archive member's own bits (a tar header's) say nothing about who can read it: the archive file's do.
  const accessFrom = containerMode !== undefined ? item.archiveChain?.[0] : undefined;
  const accessMode = containerMode ?? ownAccessMode(item);
  return {
    asset,
    item,
    facts,
    authorized: isAuthorized(item.location),
    ...(accessMode !== undefined ? { accessMode } : {}),
    ...(accessFrom !== undefined ? { accessFrom } : {}),
  };
}
