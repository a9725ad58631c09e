import { PLATE_RECORD_ASSET } from '../../identify/records.js';
import { perSubject } from '../requirement.js';

/** Plate records in free-text logs, wherever the log is. */
export const noLogs = perSubject(
  'no-logs',
  (subject) => {
    if (subject.asset.method !== 'record' || subject.asset.evidence['format'] !== 'text') return undefined;
    const records = subject.asset.evidence['records'];
    return {
      message: `Agency plate reads written to a log (${String(records)} distinct agency plates)`,
      evidence: { records, format: 'text' },
    };
  },
  undefined,
  [PLATE_RECORD_ASSET],
);
