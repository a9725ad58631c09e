import type { Tally } from '../audit/tally.js';
import type { CacheStats } from '../cache/inspection-cache.js';
import type { Io } from './io.js';

const INTERVAL_MS = 250;

const size = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

/** Whole minutes and seconds, for an ETA. */
const duration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

export interface ProgressDisplay {
  onItem?: (tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void;
  onPhase?: (phase: string) => void;
  /** Whether the audit should count its inputs ahead, for the ETA. */
  wantsEstimate: boolean;
  done(): void;
}

/**
 * A one-line progress display on stderr (phase, files, bytes, rate, ETA), redrawn at most four
 * times a second. Only on a terminal: silent in CI, when stderr is redirected, and with --quiet.
 * The ETA appears once a listing of the inputs (run alongside the audit, no stat) has counted them;
 * it extrapolates the entry rate so far, so archives and large images make it an estimate. Files
 * replayed from the re-audit cache are counted as seen but not read, and shown as "unchanged".
 */
export function progressDisplay(io: Io, quiet: boolean): ProgressDisplay {
  if (quiet || io.stderr.isTTY !== true || io.env['CI']) return { wantsEstimate: false, done: () => undefined };
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    wantsEstimate: true,
    onItem(tally, cache) {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      shown = true;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const rate = Math.round(tally.filesSeen / seconds);
      const expected = tally.entriesExpected;
      const known = expected !== undefined && expected >= tally.entriesSeen && tally.entriesSeen > 0;
      const of = known ? `, ${tally.entriesSeen}/~${expected} entries` : '';
      const eta = known ? `, ETA ${duration(((expected - tally.entriesSeen) * seconds) / tally.entriesSeen)}` : '';
      io.stderr.write(
        `\r\x1b[2Kcustody: inspecting: ${tally.filesSeen} files${of}, ${size(tally.bytesSeen)} seen, ${size(tally.bytesRead)} read, ${rate} files/s${cache?.hits ? `, ${cache.hits} unchanged (cached)` : ''}${eta}`,
      );
    },
    onPhase(phase) {
      shown = true;
      io.stderr.write(`\r\x1b[2Kcustody: ${phase} ...`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}
