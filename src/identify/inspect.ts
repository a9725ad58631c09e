import { TailKeepingContent } from '../sources/archives/appended.js';
import { ArchiveLimitError, CorruptMemberError } from '../sources/archives/index.js';
import { ContentChangedError } from '../sources/file-content.js';
import type { CoverageEntry, Item } from '../sources/item.js';
import { DEEP_SNIFF_BYTES, type MediaType, SNIFF_BYTES, sniff, wantsDeeperHead } from '../sources/sniff.js';
import { unsupportedCoverage } from '../sources/unsupported.js';
import { compareStrings } from '../util/compare.js';
import { describeError, errorCode } from '../util/errors.js';
import { type Detector, type DetectResult, type Identification, type ItemFacts, METHOD_RANK } from './detector.js';

/** Everything the detectors concluded about one item. */
export interface Inspection {
  item: Item;
  media?: MediaType;
  identifications: Identification[];
  facts: ItemFacts;
  coverage: CoverageEntry[];
}

/** Runs every applicable detector on one item. Never throws: failures become coverage entries. */
export async function inspectItem(item: Item, detectors: readonly Detector[], wantMedia: boolean): Promise<Inspection> {
  // Files on disk keep their last bytes as the detectors read them: the archive stage looks there for
  // an appended zip without opening the file again.
  const kept = item.content && item.path ? { ...item, content: new TailKeepingContent(item.content, item.size) } : item;
  const inspection: Inspection = { item: kept, identifications: [], facts: {}, coverage: [] };
  if (item.content && wantMedia && item.size > 0) {
    try {
      let head = await kept.content!.head(SNIFF_BYTES);
      if (wantsDeeperHead(head, item.size)) head = await kept.content!.head(DEEP_SNIFF_BYTES);
      inspection.media = sniff(head);
      inspection.facts.media = inspection.media;
      // Recognised but not opened: said so, and the audit is incomplete. Detectors still run (a
      // whole-file digest of a copied PDF still matches).
      const unsupported = unsupportedCoverage(item.location, inspection.media);
      if (unsupported) inspection.coverage.push(unsupported);
    } catch (error) {
      inspection.coverage.push(readFailure(item, error));
      return inspection;
    }
  }
  for (const detector of detectors) {
    if (!detector.applies(kept, inspection.media)) continue;
    let result: DetectResult;
    try {
      result = await detector.detect(kept, inspection.media, inspection.identifications);
    } catch (error) {
      // The archive reader already recorded why this member could not be read.
      if (error instanceof ArchiveLimitError || error instanceof CorruptMemberError)
        inspection.coverage.push({ location: item.location, reason: 'archive-member', detail: 'see the archive entry', incomplete: true });
      else inspection.coverage.push(readFailure(item, error, detector.id));
      continue;
    }
    inspection.identifications.push(...result.identifications);
    inspection.coverage.push(...(result.coverage ?? []));
    Object.assign(inspection.facts, withoutUndefined(result.facts));
  }
  return inspection;
}

/** The strongest identification: exact over perceptual over record over metadata over unverifiable. */
export function strongest(identifications: readonly Identification[]): Identification | undefined {
  return [...identifications].sort(
    (a, b) => METHOD_RANK[a.method] - METHOD_RANK[b.method] || compareStrings(a.reference ?? '', b.reference ?? '') || compareStrings(a.asset, b.asset),
  )[0];
}

function readFailure(item: Item, error: unknown, detector?: string): CoverageEntry {
  if (error instanceof ContentChangedError) {
    return { location: item.location, reason: 'changed-during-scan', detail: error.message, incomplete: true };
  }
  const code = errorCode(error);
  if (code) return { location: item.location, reason: 'unreadable', detail: code, incomplete: true };
  return { location: item.location, reason: 'inspection-failed', detail: `${detector ?? 'sniff'}: ${describeError(error)}`, incomplete: true };
}

function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
