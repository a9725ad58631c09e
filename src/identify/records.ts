import { PLATE_RECORD_CLASS } from '../policy/requirements/kind.js';
import { chunksOf } from '../sources/item.js';
import { isTextLike } from '../sources/sniff.js';
import { errorCode } from '../util/errors.js';
import type { Detector, DetectorFactory, DetectorSetup, DetectResult, Identification } from './detector.js';
import { NO_RESULT } from './detector.js';
import { agencyPlateMatcher } from './plates/agency-matcher.js';
import { plateKeyId } from './plates/key.js';
import { scanPlates } from './plates/scan.js';
import { PlateScanPool } from './plates/scan-pool.js';

/**
 * Licence-plate records: text-like files (CSV/TSV, JSON, JSON Lines, logs) holding agency plates.
 * Plates are looked up by keyed digest (see src/identify/plates/key.ts), so the audit never needs the
 * plate list in clear, and the evidence carries counts and places only: never a plate, never a
 * digest of one (digests of a small space can be brute-forced). A file of plates none of which is
 * the agency's is not agency data and yields nothing.
 */

export const recordDetector: DetectorFactory = {
  id: 'record',
  create(setup: DetectorSetup): Detector | undefined {
    const sets = setup.fingerprints.plateSets.filter((set) => set.count > 0);
    if (sets.length === 0) return undefined;
    if (!setup.plateKey) {
      setup.notice({
        level: 'warning',
        message: 'no plate key given (CUSTODY_PLATE_KEY or a key file): plate records cannot be checked',
      });
      return undefined;
    }
    const keyId = plateKeyId(setup.plateKey);
    const usable = sets.filter((set) => set.keyId === keyId);
    const others = [...new Set(sets.filter((set) => set.keyId !== keyId).map((set) => set.keyId))].sort();
    if (others.length > 0) {
      setup.notice({
        level: 'warning',
        message:
          `the plate key identifier does not match the fingerprint set (key ${keyId}, set ${others.join(', ')}): ` +
          (usable.length > 0 ? 'plates digested under that key cannot be checked' : 'plate records cannot be checked'),
      });
    }
    if (usable.length === 0) return undefined;
    const matcher = agencyPlateMatcher(setup.fingerprints, setup.plateKey)!;
    // Large files are scanned on worker threads and this one, in parallel (issue 20); threads start with the first.
    const pool = new PlateScanPool(matcher, setup.threads ?? 1);
    return {
      id: 'record',
      // The digests come from the fingerprint files; the key is named by its id, never itself.
      settings: { fingerprints: setup.fingerprints.digests, plateKeyId: keyId },
      needsMedia: true,
      applies: (item, media) => isTextLike(media) && item.size > 0 && item.content !== undefined,
      async detect(item): Promise<DetectResult> {
        if (!item.content) return NO_RESULT;
        let result;
        try {
          const chunks = chunksOf(item.content);
          result = await (pool.wants(item.size) ? pool.scan(chunks) : scanPlates(chunks, matcher));
        } catch (error) {
          const code = errorCode(error);
          return {
            identifications: [],
            coverage: [
              {
                location: item.location,
                reason: 'unreadable',
                detail: `plate scan stopped: ${code === 'EPLATETHREAD' ? 'scanning thread failed' : (code ?? 'read error')}`,
                incomplete: true,
              },
            ],
          };
        }
        if (result.records === 0) return NO_RESULT;
        const evidence: Record<string, unknown> = {
          records: result.records,
          format: result.format,
          where: result.where,
          keyId,
        };
        if (result.whereTruncated) evidence.whereTruncated = true;
        if (result.examples.length > 0) evidence.examples = result.examples;
        const identification: Identification = { asset: PLATE_RECORD_CLASS, method: 'record', evidence };
        return { identifications: [identification] };
      },
      close: () => pool.close(),
    };
  },
};
