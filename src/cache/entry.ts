import type { Identification, ItemFacts } from '../identify/detector.js';
import type { MediaType } from '../identify/sniff.js';
import type { CoverageEntry, Notice } from '../sources/item.js';

/** What the detectors concluded about one item, without the item itself. */
export interface Conclusion {
  media?: MediaType;
  identifications: Identification[];
  /** Facts after the subject stage filled in capture date and digest, so a replay reads nothing. */
  facts: ItemFacts;
  coverage: CoverageEntry[];
}

/** An archive member as its replay needs it (no content: a replay never reads). */
export interface MemberRecord {
  location: string;
  size: number;
  mtime?: Date;
  mode?: number;
  archiveChain: string[];
}

/** One event of an archive's expansion, in the order the cold run met it. */
export type ExpansionEvent =
  | { kind: 'notice'; notice: Notice }
  | { kind: 'coverage'; entry: CoverageEntry }
  | { kind: 'member'; member: MemberRecord; conclusion: Conclusion };

/** Everything a warm run needs to stand in for inspecting one file on disk. */
export interface CachedEntry extends Conclusion {
  /** Content bytes the cold run read for this file (and its members), so both reports agree. */
  bytesRead: number;
  /** For an archive: its whole expansion. Absent when the file is not an archive (or archives are off). */
  expansion?: ExpansionEvent[];
}

/**
 * Coverage reasons that follow from the bytes and the settings alone, so the same file gives them
 * again. Anything else (unreadable, changed-during-scan, inspection-failed, or a reason added later)
 * may be transient: an entry carrying it is never stored, and the next run inspects the file afresh.
 */
const DETERMINISTIC_REASONS: ReadonlySet<string> = new Set([
  'corrupt-image',
  'decode-limit',
  'unsupported-image',
  'low-quality-hash',
  'archive-limit',
  'archive-member',
  'corrupt-archive',
  'encrypted',
  'unsupported-compression',
  'link-member',
  'special-file',
  'unsupported-archive',
  'unsupported-document',
  'unsupported-database',
  'unsupported-media',
]);

// An I/O failure met while opening or reading an archive is reported as corrupt-archive with the
// system error's message ("EIO: i/o error, read") or the walk's own ("size changed during the scan").
const TRANSIENT_DETAIL = /^E[A-Z0-9]{2,}\b|during the scan|replaced by another file|no longer a regular file/;

/** True when a coverage entry would come out the same on another run over the same bytes. */
export function isDeterministic(entry: CoverageEntry): boolean {
  if (!DETERMINISTIC_REASONS.has(entry.reason)) return false;
  return entry.reason !== 'corrupt-archive' || !TRANSIENT_DETAIL.test(entry.detail ?? '');
}

/** Plain JSON shapes only: a Date, Buffer, bigint or non-finite number would not come back as it went. */
export function isJsonSafe(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonSafe(v, depth + 1));
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((v) => v === undefined || isJsonSafe(v, depth + 1));
}

/**
 * The JSON form of an entry (dates as epoch milliseconds, short keys: there may be a million), or
 * undefined when the entry must not be stored: a coverage entry that may be transient, or a value
 * JSON would not give back as it was.
 */
export function encodeEntry(entry: CachedEntry): string | undefined {
  if (isEmpty(entry)) return EMPTY_ENTRY;
  if (!entry.coverage.every(isDeterministic)) return undefined;
  for (const event of entry.expansion ?? []) {
    if (event.kind === 'coverage' && !isDeterministic(event.entry)) return undefined;
    if (event.kind === 'member' && !event.conclusion.coverage.every(isDeterministic)) return undefined;
  }
  const json: Record<string, unknown> = conclusionJson(entry);
  if (entry.expansion) json['x'] = entry.expansion.map(eventJson);
  return isJsonSafe(json) ? JSON.stringify(json) : undefined;
}

/** Nothing identified, sniffed or noted: most files of most audits, encoded once. */
const EMPTY_ENTRY = JSON.stringify({ f: {} });

const isEmpty = (entry: CachedEntry): boolean =>
  entry.media === undefined && entry.expansion === undefined && entry.identifications.length === 0 && entry.coverage.length === 0 && Object.keys(entry.facts).length === 0;

/** Parses what {@link encodeEntry} wrote; throws on anything else (the caller treats it as corruption). */
export function decodeEntry(text: string, bytesRead: number): CachedEntry {
  const json = JSON.parse(text) as Record<string, unknown>;
  const entry: CachedEntry = { ...conclusionOf(json), bytesRead };
  if (json['x'] !== undefined) entry.expansion = array(json['x']).map(eventOf);
  return entry;
}

function conclusionJson(c: Conclusion): Record<string, unknown> {
  const { capturedAt, ...facts } = c.facts;
  return {
    ...(c.media ? { m: c.media } : {}),
    ...(c.identifications.length > 0 ? { i: c.identifications } : {}),
    f: capturedAt ? { ...facts, capturedAt: capturedAt.getTime() } : facts,
    ...(c.coverage.length > 0 ? { c: c.coverage } : {}),
  };
}

function conclusionOf(json: Record<string, unknown>): Conclusion {
  const facts = object(json['f']) as ItemFacts & { capturedAt?: unknown };
  if (facts.capturedAt !== undefined) facts.capturedAt = new Date(number(facts.capturedAt));
  return {
    ...(json['m'] !== undefined ? { media: string(json['m']) as MediaType } : {}),
    identifications: array(json['i'] ?? []) as Identification[],
    facts: facts as ItemFacts,
    coverage: array(json['c'] ?? []) as CoverageEntry[],
  };
}

function eventJson(event: ExpansionEvent): unknown {
  if (event.kind === 'notice') return { n: event.notice };
  if (event.kind === 'coverage') return { v: event.entry };
  const { mtime, ...member } = event.member;
  return { e: { ...member, ...(mtime ? { mtime: mtime.getTime() } : {}) }, k: conclusionJson(event.conclusion) };
}

function eventOf(raw: unknown): ExpansionEvent {
  const json = object(raw);
  if (json['n'] !== undefined) return { kind: 'notice', notice: object(json['n']) as unknown as Notice };
  if (json['v'] !== undefined) return { kind: 'coverage', entry: object(json['v']) as unknown as CoverageEntry };
  const member = object(json['e']);
  return {
    kind: 'member',
    member: {
      location: string(member['location']),
      size: number(member['size']),
      ...(member['mtime'] !== undefined ? { mtime: new Date(number(member['mtime'])) } : {}),
      ...(member['mode'] !== undefined ? { mode: number(member['mode']) } : {}),
      archiveChain: array(member['archiveChain']).map(string),
    },
    conclusion: conclusionOf(object(json['k'])),
  };
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('cache record: object expected');
  return value as Record<string, unknown>;
}
function array(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError('cache record: array expected');
  return value;
}
function string(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('cache record: string expected');
  return value;
}
function number(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('cache record: number expected');
  return value;
}
