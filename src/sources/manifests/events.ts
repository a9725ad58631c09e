import type { CoverageEntry, Item, Notice, SourceEvent } from '../item.js';

/** An item event for a manifest row: origin 'manifest', never content. */
export function itemEvent(item: Omit<Item, 'origin' | 'content'>): SourceEvent {
  (item as Item).origin = 'manifest';
  return { kind: 'item', item: item as Item };
}

/** A malformed manifest row: the scan is incomplete for it, and reading continues. */
export function rowCoverage(file: string, line: number, detail: string): SourceEvent {
  return coverage({ location: `${file}:${line}`, reason: 'manifest-row', detail, incomplete: true });
}

export function coverage(entry: CoverageEntry): SourceEvent {
  return { kind: 'coverage', entry };
}

export function notice(location: string, level: Notice['level'], message: string): SourceEvent {
  return { kind: 'notice', notice: { location, level, message } };
}

let lastDateText: string | number | undefined;
let lastDateMs = NaN;

/**
 * A Date from a manifest timestamp, or undefined when absent or unparseable (never "now"). Rows
 * written in one batch share timestamps, so the last parse is remembered (a fresh Date each call).
 */
export function parseDate(value: string | number | undefined | null): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value !== lastDateText) {
    lastDateText = value;
    lastDateMs = new Date(value).getTime();
  }
  return Number.isNaN(lastDateMs) ? undefined : new Date(lastDateMs);
}

/** A non-negative integer size, or undefined. */
export function parseSize(value: string | number | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Cap for a list quoted inside one notice, so notices stay one readable line. */
export function sample(list: readonly string[], max = 3): string {
  const shown = list.slice(0, max).join(', ');
  return list.length > max ? `${shown}, ... (${list.length - max} more)` : shown;
}
