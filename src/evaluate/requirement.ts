import type { ItemFacts } from '../identify/detector.js';
import type { Violation as RequirementViolation } from '../policy/requirements/kind.js';
import type { Asset } from '../report/model.js';
import type { Item } from '../sources/item.js';

/** One identified agency item, with what evaluation needs to know about it. */
export interface Subject {
  asset: Asset;
  item: Item;
  facts: ItemFacts;
  /** Whether its location (or its outermost archive's) is authorised. */
  authorized: boolean;
  /** Permission bits that govern access to it: its own, or its outermost archive file's. */
  accessMode?: number;
  /** The location of the archive file whose bits `accessMode` are, when they are not the item's own. */
  accessFrom?: string;
}

export type { EvaluationContext } from '../policy/requirements/kind.js';

/** A violation of one subject (or of the audit as a whole), before it becomes a Finding. */
export type Violation = RequirementViolation<Subject>;

/** Location of findings about the audit as a whole (max-copies), whatever its inputs. */
export const AUDIT_SCOPE = '.';
