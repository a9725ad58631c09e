import { z } from 'zod';
import { PLATE_RECORD_CLASS, perSubject } from './kind.js';

/** Plate records must never be written to free-text logs, wherever they are. */
const schema = z.strictObject({ kind: z.literal('no-logs') });

/** Plate records in free-text logs, wherever the log is. */
export const noLogs = perSubject(
  schema,
  (subject) => {
    if (subject.asset.method !== 'record' || subject.asset.evidence['format'] !== 'text') return undefined;
    const records = subject.asset.evidence['records'];
    return {
      message: `Agency plate reads written to a log (${String(records)} distinct agency plates)`,
      evidence: { records, format: 'text' },
    };
  },
  { assets: [PLATE_RECORD_CLASS] },
);
