// @ts-check
/**
 * The intended policy of the example, as the plan's ground truth applies it. It mirrors what
 * policies/ should say for the lane-camera subcontract; the plan states it so tests can check an
 * audit against the same rules without parsing YAML.
 */

export const PLAN_POLICY = Object.freeze({
  /** Globs relative to contractor-share. */
  authorised: Object.freeze(['secure-enclave/**']),
  /**
   * Widest allowed file mode: owner read/write, group read. "No group/world access" in the case
   * means no world access at all and no group write; 0640 is how the enclave itself is set up.
   */
  maxMode: '0640',
  retentionDays: 30,
  /** Agency data inside archives outside the authorised locations is its own violation. */
  noArchivesOutsideAuthorised: true,
});

/**
 * Violations a planted copy should raise, in a fixed order.
 * @param {{ location: string, mode: number, ageDays: number, inArchive: boolean }} item
 * @returns {string[]} subset of location, permissions, retention, no-archives
 */
export function expectedViolations({ location, mode, ageDays, inArchive }) {
  const outside = !location.startsWith('secure-enclave/');
  const out = [];
  if (outside) out.push('location');
  if ((mode & 0o777 & ~0o640) !== 0) out.push('permissions');
  if (ageDays > PLAN_POLICY.retentionDays) out.push('retention');
  if (inArchive && outside) out.push('no-archives');
  return out;
}
