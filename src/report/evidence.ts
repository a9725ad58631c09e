import { sortedEntries } from './verdict.js';

/** One evidence value as short text; nested values as compact JSON. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(', ');
  }
  return JSON.stringify(value) ?? '';
}

/**
 * Evidence as `key=value` pairs sorted by key, unescaped (callers escape for their medium).
 * Evidence is already redacted upstream; this only formats it.
 */
export function evidencePairs(evidence: Record<string, unknown>): string[] {
  return sortedEntries(evidence).map(([k, v]) => `${k}=${valueText(v)}`);
}

/** Byte count for humans (binary units, one decimal). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Wall time between two ISO timestamps, in seconds with millisecond precision. */
export function durationSeconds(startedAt: string, finishedAt: string): string {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'unknown';
}
