import type { Readable } from 'node:stream';
import type { PlateMatcher } from './matcher.js';
import { scanPlatesOnThreads } from './scan-pool.js';
import type { PlateScanResult } from './scan-stream.js';

export { DETECT_BYTES, detectPlateFormat, type PlateScanResult, scanPlatesHere } from './scan-stream.js';

/**
 * Scans a stream for agency plates in constant memory. The raw bytes are always scanned. When they
 * need decoding (UTF-16 chosen from the first 4 KiB, or ANSI escapes: see scan-decode.ts),
 * a second, decoded reading runs beside the raw one, from the first byte that needs it; the readings'
 * distinct plates are merged. A guess from the head (two bytes `FF FE` in front of a UTF-8 CSV) or an
 * escape that only looks like one can so never make custody find fewer plates than the raw bytes hold.
 * Plain ASCII/UTF-8 without ESC costs one `indexOf` per chunk over a raw-only scan. A stream longer
 * than a few MiB is scanned on a thread of its own (see scan-pool.ts), with the same result. Rejects
 * only when the stream itself fails (or a scanning thread dies).
 */
export function scanPlates(stream: Readable, matcher: PlateMatcher): Promise<PlateScanResult> {
  return scanPlatesOnThreads(stream, matcher);
}
