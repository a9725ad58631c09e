import stringWidth from 'string-width';
import type { Io } from './io.js';
import { noProgress, type ProgressDisplay, showsProgress } from './progress-off.js';

export type { ProgressDisplay } from './progress-off.js';

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

/** One field of the line and how readily it is dropped when the terminal is too narrow (higher first). */
interface Field {
  text: string;
  drop: number;
}

/**
 * A one-line progress display on stderr (phase, files, bytes, rate, ETA), redrawn at most four
 * times a second. Only on a terminal: silent in CI, when stderr is redirected, and with --quiet.
 * The ETA appears once a listing of the inputs (run alongside the audit, no stat) has counted them;
 * it extrapolates the entry rate so far, so archives and large images make it an estimate. Files
 * replayed from the re-audit cache are counted as seen but not read, and shown as "unchanged".
 *
 * Every frame fits the terminal: its width is read at each draw (so a resize is followed), fields
 * are dropped least useful first (bytes read, bytes seen, cache hits, rate, entries; the file count
 * and the ETA stay), and what is left is cut by display width (string-width: wide characters count
 * two columns). A frame takes at most width - 1 columns, so the cursor never sits in the terminal's
 * pending-wrap state. When the terminal narrowed since the last frame, a terminal that reflows
 * (tmux, VTE, iTerm2, kitty, Windows Terminal) has wrapped that frame over several rows: those rows
 * are cleared too. No file path is ever shown: names can hold plate numbers.
 */
export function progressDisplay(io: Io, quiet: boolean): ProgressDisplay {
  if (!showsProgress(io, quiet)) return noProgress(io);
  const stderr = io.stderr;
  const started = Date.now();
  let last = 0;
  /** Display width of the frame on screen; 0 when the line is clear. */
  let shownWidth = 0;
  let finished = false;

  /** Columns available to a frame, or Infinity when the stream does not say (never on a real terminal). */
  const columns = (): number => (stderr.columns && stderr.columns > 0 ? stderr.columns : Infinity);

  /** Escape sequence that returns to the frame's first row and clears it (and any rows it wrapped onto). */
  const clearing = (): string => {
    const rows = Number.isFinite(columns()) ? Math.max(1, Math.ceil(shownWidth / columns())) : 1;
    return rows > 1 ? `\x1b[${rows - 1}A\r\x1b[J` : '\r\x1b[2K';
  };

  const draw = (fields: readonly Field[]) => {
    if (finished) return;
    refreshSize(stderr);
    const frame = fit(fields, columns() - 1);
    stderr.write(`${clearing()}${frame}`);
    shownWidth = stringWidth(frame);
  };

  const clear = () => {
    if (shownWidth === 0) return;
    stderr.write(clearing());
    shownWidth = 0;
  };

  return {
    wantsEstimate: true,
    io: {
      ...io,
      stderr: {
        isTTY: stderr.isTTY,
        get columns() {
          return stderr.columns;
        },
        write(text: string) {
          clear();
          return stderr.write(text);
        },
      },
    },
    onItem(tally, cache) {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const rate = Math.round(tally.filesSeen / seconds);
      const expected = tally.entriesExpected;
      const known = expected !== undefined && expected >= tally.entriesSeen && tally.entriesSeen > 0;
      draw([
        { text: `custody: inspecting: ${tally.filesSeen} files`, drop: 0 },
        ...(known ? [{ text: `, ${tally.entriesSeen}/~${expected} entries`, drop: 2 }] : []),
        { text: `, ${size(tally.bytesSeen)} seen`, drop: 5 },
        { text: `, ${size(tally.bytesRead)} read`, drop: 6 },
        { text: `, ${rate} files/s`, drop: 3 },
        ...(cache?.hits ? [{ text: `, ${cache.hits} unchanged (cached)`, drop: 4 }] : []),
        ...(known ? [{ text: `, ETA ${duration(((expected - tally.entriesSeen) * seconds) / tally.entriesSeen)}`, drop: 1 }] : []),
      ]);
    },
    onPhase(phase) {
      draw([{ text: `custody: ${phase} ...`, drop: 0 }]);
    },
    done() {
      clear();
      finished = true;
    },
  };
}

/**
 * Asks the terminal for its width now. Node updates a TTY stream's `columns` only when its SIGWINCH
 * handler runs on the event loop, so a draw made between a resize and that handler (a process that
 * was stopped while the window narrowed, then continued straight into a busy stretch) would fit the
 * old width and wrap. `_refreshSize` is tty.WriteStream's own re-read (one ioctl); streams without
 * it keep their `columns`, and a failed ioctl (the terminal went away) keeps the last width.
 */
function refreshSize(stream: object): void {
  const refresh = (stream as { _refreshSize?: () => void })._refreshSize;
  if (typeof refresh !== 'function') return;
  try {
    refresh.call(stream);
  } catch {
    // tty.WriteStream emits 'error' for a failed ioctl, which throws without a listener.
  }
}

/** The fields in order, dropping the most droppable until the line fits `width`, then cut to it. */
function fit(fields: readonly Field[], width: number): string {
  let kept = [...fields];
  const text = () => kept.map((field) => field.text).join('');
  while (stringWidth(text()) > width && kept.some((field) => field.drop > 0)) {
    const most = Math.max(...kept.map((field) => field.drop));
    kept = kept.filter((field) => field.drop !== most);
  }
  return truncate(text(), width);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts `line` to at most `width` display columns, ending in '…' when cut. Whole graphemes only, so a
 * wide character that would straddle the edge is left out rather than half-drawn. (cli-truncate
 * 5.2 returns one column too many in exactly that case: 30 columns for 29.)
 */
function truncate(line: string, width: number): string {
  if (stringWidth(line) <= width) return line;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(line)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
