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

/**
 * A one-line progress display on stderr (files, bytes, rate), redrawn at most four times a second.
 * Only on a terminal: silent in CI, when stderr is redirected, and with --quiet. No ETA: the walk
 * streams, so the total is not known until it ends. Files replayed from the re-audit cache are counted
 * as seen but not read, and shown as "unchanged".
 */
export function progressDisplay(io: Io, quiet: boolean): { onItem?: (tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void; done(): void } {
  if (quiet || io.stderr.isTTY !== true || io.env['CI']) return { done: () => undefined };
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    onItem(tally, cache) {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      shown = true;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const rate = Math.round(tally.filesSeen / seconds);
      io.stderr.write(`\r\x1b[2Kcustody: inspecting: ${tally.filesSeen} files, ${size(tally.bytesSeen)} seen, ${size(tally.bytesRead)} read, ${rate} files/s${cache?.hits ? `, ${cache.hits} unchanged (cached)` : ''}`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}
