import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Finding, REPORT_FORMAT, REPORT_VERSION } from '../report/model.js';
import { describeError, errorCode, InputError } from '../util/errors.js';

/**
 * A previous report that cannot serve as a baseline (unreadable, not JSON, not a custody-report v1,
 * a shard report, findings without valid fingerprints). One line naming the file; exit code 2.
 */
export class BaselineError extends InputError {
  constructor(file: string, detail: string) {
    super(file, `not usable as a baseline: ${detail}`);
  }
}

/**
 * Only what a baseline relies on is checked: the report kind and every finding's fingerprint. The
 * rest of the report may have grown fields since (non-strict objects), but a fingerprint that is not
 * a SHA-256 hex digest means the file was not written by custody and none of it is trusted.
 */
const BaselineReport = z.object({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(REPORT_VERSION),
  findings: z.array(z.object({ ruleId: z.string().min(1), fingerprint: z.string().regex(/^[0-9a-f]{64}$/) })),
  shard: z.unknown().optional(),
  references: z.unknown().optional(),
});

/**
 * Reads a previous JSON report (`custody audit --format json`) and returns the fingerprints of all its
 * findings, waived ones included: a finding once waived and now unwaived is still not new.
 *
 * @throws BaselineError when the file cannot be read or is not a complete custody-report v1.
 */
export async function loadBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BaselineError(file, `cannot read it (${errorCode(error) ?? describeError(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(file, `not JSON (${describeError(error)})`);
  }
  const isObject = data !== null && typeof data === 'object' && !Array.isArray(data);
  const head = isObject ? (data as { format?: unknown; version?: unknown }) : undefined;
  if (head?.format !== REPORT_FORMAT || head.version !== REPORT_VERSION) {
    const found = head ? `format ${JSON.stringify(head.format) ?? 'missing'}, version ${JSON.stringify(head.version) ?? 'missing'}` : 'not an object';
    throw new BaselineError(file, `expected a ${REPORT_FORMAT} version ${REPORT_VERSION} JSON report, found ${found}`);
  }
  const parsed = BaselineReport.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BaselineError(file, `${issue.path.join('.') || 'report'}: ${issue.message}`);
  }
  // A shard holds only part of the findings: everything in the other shards would look new.
  if (parsed.data.shard !== undefined) throw new BaselineError(file, 'it is a shard report; merge the shards with `custody merge` first');
  // A reference split matched only its share of the references: the others' copies would look new.
  if (parsed.data.references !== undefined) throw new BaselineError(file, 'it is a reference-split report; merge the splits with `custody merge` first');
  return new Set(parsed.data.findings.map((f) => f.fingerprint));
}

/**
 * Marks each finding `baseline: 'new'` or `'unchanged'` by whether its fingerprint is in `known`.
 * Pure: returns new finding objects, in the same order.
 *
 * The fingerprint (src/evaluate/evaluate.ts `findingFingerprint`) is protocol id + content digest,
 * falling back to the location only when no content digest is known. Hence:
 * - a renamed or moved copy of a known finding is `unchanged` (same protocol, same content);
 * - a new file at an old path is `new` (different content digest);
 * - a further copy of content already known under the same protocol is `unchanged` too: the baseline
 *   tracks which agency items violate which protocol, not how many copies there are;
 * - an item without a content digest (manifest rows without checksums) is matched by location;
 * - audit-wide findings (no item) match by protocol alone.
 */
export function applyBaseline(findings: readonly Finding[], known: ReadonlySet<string>): Finding[] {
  return findings.map((finding) => ({ ...finding, baseline: known.has(finding.fingerprint) ? 'unchanged' : 'new' }));
}
