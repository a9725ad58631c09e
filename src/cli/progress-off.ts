import type { Tally } from '../audit/tally.js';
import type { CacheStats } from '../cache/inspection-cache.js';
import type { Io } from './io.js';

/** What an audit is given to show its progress (src/cli/progress.ts draws it on a terminal). */
export interface ProgressDisplay {
  onItem?: (tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void;
  onPhase?: (phase: string) => void;
  /** Whether the audit should count its inputs ahead, for the ETA. */
  wantsEstimate: boolean;
  /**
   * The Io to use for anything else written while the display is up (notices): each stderr write
   * first clears the progress line, so a notice never lands after a half-drawn frame.
   */
  io: Io;
  /** Clears the line for good; call it however the audit ends. */
  done(): void;
}

/** Whether a progress line is drawn: only on a terminal, never in CI or with --quiet. */
export function showsProgress(io: Io, quiet: boolean): boolean {
  return !quiet && io.stderr.isTTY === true && !io.env['CI'];
}

/**
 * No display. Apart from progress.ts so that an audit without a terminal does not load the display
 * code: string-width builds an Intl.Segmenter and Unicode property regexes (RGI_Emoji) as it is
 * imported, a measurable part of an audit's start-up.
 */
export const noProgress = (io: Io): ProgressDisplay => ({ wantsEstimate: false, io, done: () => undefined });
