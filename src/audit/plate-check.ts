import { plateKeyId } from '../identify/plates/key.js';
import type { FingerprintIndex } from '../references/index-set.js';
import type { PlateCheck } from '../report/model.js';

/** Whether this audit checks plate records, and what goes unchecked if it does not. */
export interface PlateGap {
  check: PlateCheck;
  /**
   * True when no plate set at all can be checked (no key, no matching key, or --no-plates): protocols
   * about plate records alone are then not evaluated. A key that matches some sets checks those, and
   * their violations stand; the sets it cannot check still make the audit incomplete.
   */
  noneChecked: boolean;
}

/**
 * Whether this audit can check plate records: the fingerprint sets must hold plate digests, and the
 * key must be the one they were digested under. Without it the check does not run, and the audit says
 * so (incomplete) instead of passing on files it never looked at.
 */
export function plateCheck(fingerprints: FingerprintIndex, plateKey: Buffer | undefined, skip: boolean): PlateGap {
  const keyIds = [...new Set(fingerprints.plateSets.filter((s) => s.count > 0).map((s) => s.keyId))].sort();
  if (keyIds.length === 0) return { check: { status: 'not-applicable' }, noneChecked: false };
  if (skip) return { check: { status: 'opted-out', reason: 'by request (--no-plates)' }, noneChecked: true };
  if (!plateKey) return { check: { status: 'not-checked', reason: 'no plate key (set CUSTODY_PLATE_KEY or give --plate-key-file)' }, noneChecked: true };
  const keyId = plateKeyId(plateKey);
  const others = keyIds.filter((id) => id !== keyId);
  if (others.length === keyIds.length) {
    return {
      check: { status: 'not-checked', reason: `the plate key does not match the fingerprint set (key ${keyId}, set ${others.join(', ')})` },
      noneChecked: true,
    };
  }
  if (others.length > 0) {
    return {
      check: { status: 'not-checked', reason: `plates digested under key ${others.join(', ')} cannot be checked with key ${keyId}` },
      noneChecked: false,
    };
  }
  return { check: { status: 'checked' }, noneChecked: false };
}

/** The asset classes a plate check that did not run at all leaves unchecked, with why. */
export function uncheckedClasses(gap: PlateGap, plateRecordClass: string): Map<string, string> {
  if (!gap.noneChecked) return new Map();
  const { check } = gap;
  const reason = check.status === 'opted-out' ? `plate records not checked, ${check.reason}` : `plate records NOT checked: ${check.reason}`;
  return new Map([[plateRecordClass, reason]]);
}
