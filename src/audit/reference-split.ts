import type { Identification } from '../identify/detector.js';
import type { Inspection } from '../identify/inspect.js';
import type { ReferenceShare } from '../references/split.js';
import type { ReferenceSplit } from '../report/model.js';
import type { Notice } from '../sources/item.js';
import { compareStrings } from '../util/compare.js';
import { InspectStage } from './inspect-stage.js';

/**
 * The inspect stage of a reference-split audit (`--references k/n`): as the plain stage, and it also
 * keeps every identification of every item, evidence included. The report's asset keeps only the
 * strongest identification's evidence, but `custody merge` must weigh this split's matches against
 * the other splits' (a perceptual distance here against an exact match there).
 */
export class SplitInspectStage extends InspectStage {
  private readonly identified: ReferenceSplit['identified'] = [];

  override async consider(inspection: Inspection, containerMode: number | undefined): Promise<boolean> {
    if (inspection.identifications.length > 0) {
      this.identified.push({ location: inspection.item.location, identifications: inspection.identifications.map(copyOf) });
    }
    return super.consider(inspection, containerMode);
  }

  /** The identifications kept, by location (items are met in any order under concurrency). */
  identifiedByLocation(): ReferenceSplit['identified'] {
    return [...this.identified].sort((a, b) => compareStrings(a.location, b.location));
  }
}

function copyOf(identification: Identification): Identification {
  const { asset, method, reference, evidence } = identification;
  return { asset, method, ...(reference !== undefined ? { reference } : {}), evidence: { ...evidence } };
}

/**
 * What a split report says in every format: it matched one share of the references, so it is not
 * the audit's answer until merged. The merge drops it (mergeReferenceSplits).
 */
export function splitNotice(share: ReferenceShare): Notice {
  return {
    level: 'warning',
    message: `reference split ${share.index}/${share.count}: only the references whose id hashes to share ${share.index} of ${share.count} were matched; merge every split's JSON report with \`custody merge\` for the audit's result`,
  };
}
