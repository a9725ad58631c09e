// @ts-check
/**
 * The robustness bench's second judge: the audit's own matcher at its own thresholds.
 *
 * The bench's calibration matcher opens the first stage to radius 47 so it can report how far every
 * copy is from its reference. An audit matches at MATCH_THRESHOLD, and a large index probes its
 * first stage shallower than at 47 (halfDepths, match-settings.ts): a change there never shows in
 * the calibration figures. So each query is also matched as an audit's matching thread matches it
 * (SubImageMatcher over the same index, default options, as MatchPool builds it) and this file
 * counts what that claims: the recall and precision an audit would have.
 */

/**
 * @typedef {{ reference?: string, distance?: number, outcome: string }} AuditClaim
 * @typedef {{ case: string, class: string, kind: string, expected?: string, audit?: AuditClaim }} AuditRow
 */

/**
 * Worker side: a function that decodes a query as the audit does and returns what the audit's matcher claims.
 * @param {import('../../dist/identify/pdq/pdq-index.js').PdqIndex} index the index the calibration matcher uses
 * @returns {Promise<(bytes: Uint8Array) => Promise<AuditClaim>>}
 */
export async function auditMatcher(index) {
  const { SubImageMatcher } = await import('../../dist/identify/subimage/sub-image-matcher.js');
  const { decodeImage } = await import('../../dist/identify/image-decode.js');
  const { DEFAULT_DETECT_LIMITS } = await import('../../dist/identify/detector.js');
  const matcher = new SubImageMatcher(index, {});
  return async (bytes) => {
    const decoded = await decodeImage(bytes, { maxImagePixels: DEFAULT_DETECT_LIMITS.maxImagePixels });
    if (!decoded.ok) return { outcome: 'undecodable' };
    const outcome = matcher.match(decoded.image);
    return outcome.kind === 'match' ? { outcome: 'match', reference: outcome.match.reference.id, distance: outcome.match.distance } : { outcome: outcome.kind };
  };
}

/**
 * Main side: the audit's recall (copies claimed for their own reference) and precision (claims that
 * are right, among all claims on copies and negatives), per class of copy, and the copies it missed.
 * @param {readonly AuditRow[]} rows
 */
export function auditSummary(rows) {
  /** @type {Map<string, { positives: number, found: number }>} */
  const classes = new Map();
  let found = 0;
  let wrongReference = 0;
  let falseMatches = 0;
  let positives = 0;
  /** @type {{ case: string, kind: string, outcome: string, claimed: string | null, distance: number | null }[]} */
  const misses = [];
  for (const r of rows) {
    const claimed = r.audit?.reference;
    if (r.expected === undefined) {
      if (claimed !== undefined) falseMatches++;
      continue;
    }
    positives++;
    const c = classes.get(r.class) ?? { positives: 0, found: 0 };
    classes.set(r.class, c);
    c.positives++;
    if (claimed === r.expected) {
      found++;
      c.found++;
      continue;
    }
    if (claimed !== undefined) wrongReference++;
    misses.push({ case: r.case, kind: r.kind, outcome: r.audit?.outcome ?? 'not measured', claimed: claimed ?? null, distance: r.audit?.distance ?? null });
  }
  misses.sort((a, b) => (a.case < b.case ? -1 : a.case > b.case ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const claims = found + wrongReference + falseMatches;
  return {
    recall: positives ? found / positives : null,
    precision: claims ? found / claims : null,
    positives,
    found,
    wrongReference,
    falseMatches,
    byClass: Object.fromEntries([...classes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, c.positives ? c.found / c.positives : null])),
    misses,
  };
}
