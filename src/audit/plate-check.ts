import type { FingerprintIndex } from '../fingerprint/index-set.js';
import { plateKeyId } from '../identify/plates/key.js';
import type { PlateCheck } from '../report/model.js';

/**
 * Whether this audit can check plate records: the fingerprint sets must hold plate digests, and the
 * key must be the one they were digested under. Without it the check does not run, and the audit says
 * so (incomplete) instead of passing on files it never looked at.
 */
export function plateCheck(fingerprints: FingerprintIndex, plateKey: Buffer | undefined, skip: boolean): PlateCheck {
  const keyIds = [...new Set(fingerprints.plateSets.filter((s) => s.digests.length > 0).map((s) => s.keyId))].sort();
  if (keyIds.length === 0) return { status: 'not-applicable' };
  if (skip) return { status: 'opted-out', reason: 'by request (--no-plates)' };
  if (!plateKey) return { status: 'not-checked', reason: 'no plate key (set CUSTODY_PLATE_KEY or give --plate-key-file)' };
  const keyId = plateKeyId(plateKey);
  const others = keyIds.filter((id) => id !== keyId);
  if (others.length === keyIds.length) {
    return { status: 'not-checked', reason: `the plate key does not match the fingerprint set (key ${keyId}, set ${others.join(', ')})` };
  }
  if (others.length > 0) {
    return { status: 'not-checked', reason: `plates digested under key ${others.join(', ')} cannot be checked with key ${keyId}` };
  }
  return { status: 'checked' };
}

/** The asset classes a plate check that did not run leaves unchecked, with why. */
export function uncheckedClasses(check: PlateCheck, plateRecordClass: string): Map<string, string> {
  const reason = check.status === 'not-checked' ? `plate records NOT checked: ${check.reason}` : check.status === 'opted-out' ? `plate records not checked, ${check.reason}` : undefined;
  return reason ? new Map([[plateRecordClass, reason]]) : new Map();
}
