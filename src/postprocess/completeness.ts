import type { PlateCheck } from '../report/model.js';
import { type CoverageEntry, notInspectedCount } from '../sources/item.js';

/** What decides whether an audit is complete. */
export interface CompletenessParts {
  plates: PlateCheck;
  /** Files, members and objects the audit met. */
  filesSeen: number;
  /** An empty audit was expected (`--allow-empty`): nothing audited is then not a gap. */
  allowEmpty: boolean;
  coverage: readonly CoverageEntry[];
}

/**
 * Why the audit could not check everything, one sentence each, the most serious first. An audit
 * whose every check ran on every item it met has none; anything else is incomplete and never reads
 * as passed: a plate check that did not run, an audit that met nothing, an item not inspected.
 */
export function incompleteReasons(parts: CompletenessParts): string[] {
  const reasons: string[] = [];
  if (parts.plates.status === 'not-checked') reasons.push(`plate records NOT checked: ${parts.plates.reason ?? 'no usable plate key'}`);
  if (parts.filesSeen === 0 && !parts.allowEmpty) reasons.push('nothing audited: the inputs held no file or object; --allow-empty if that is expected');
  const missed = notInspectedCount(parts.coverage);
  if (missed > 0) reasons.push(`${missed} ${missed === 1 ? 'item' : 'items'} NOT inspected, see coverage`);
  return reasons;
}
