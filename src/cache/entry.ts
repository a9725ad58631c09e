import { z } from 'zod';
import type { Identification, ItemFacts, Method } from '../identify/detector.js';
import { isDeterministic } from '../sources/coverage-reasons.js';
import type { CoverageEntry, Notice } from '../sources/item.js';
import { type MediaType, MEDIA_TYPES as SNIFFED_MEDIA_TYPES } from '../sources/sniff.js';

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

// Which coverage reasons are deterministic (the same bytes give them again) is said once, in
// sources/coverage-reasons.ts: an entry carrying any other reason is never stored, and the next run
// inspects the file afresh.

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
  entry.media === undefined &&
  entry.expansion === undefined &&
  entry.identifications.length === 0 &&
  entry.coverage.length === 0 &&
  Object.keys(entry.facts).length === 0;

/**
 * Parses what {@link encodeEntry} wrote, validating every field (a record is authenticated, but
 * decoding is total all the same: a key may leak, a build may change). Undefined for anything
 * else: the caller treats it as a miss and inspects the file again.
 */
export function decodeEntry(text: string, bytesRead: number): CachedEntry | undefined {
  if (!Number.isSafeInteger(bytesRead) || bytesRead < 0) return undefined;
  if (text === EMPTY_ENTRY) return { identifications: [], facts: {}, coverage: [], bytesRead };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = EntrySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const entry: CachedEntry = Object.assign(conclusionOf(parsed.data), { bytesRead });
  if (parsed.data.x) entry.expansion = parsed.data.x.map(eventOf);
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

// Built field by field: rest and spread over zod's output objects cost ~7 us an entry (measured).
function conclusionOf(json: z.infer<typeof ConclusionSchema>): Conclusion {
  const identifications = json.i ?? [];
  const facts = factsOf(json.f);
  const coverage = json.c ?? [];
  return json.m !== undefined ? { media: json.m, identifications, facts, coverage } : { identifications, facts, coverage };
}

/** The facts in their stored order (the cold run's order, capture date last), the date as a Date. */
function factsOf(json: z.infer<typeof FactsSchema>): ItemFacts {
  const facts: Record<string, unknown> = {};
  for (const key of Object.keys(json) as (keyof typeof json)[]) facts[key] = key === 'capturedAt' ? new Date(json.capturedAt!) : json[key];
  return facts as ItemFacts;
}

function eventJson(event: ExpansionEvent): unknown {
  if (event.kind === 'notice') return { n: event.notice };
  if (event.kind === 'coverage') return { v: event.entry };
  const { mtime, ...member } = event.member;
  return { e: { ...member, ...(mtime ? { mtime: mtime.getTime() } : {}) }, k: conclusionJson(event.conclusion) };
}

function eventOf(event: z.infer<typeof EventSchema>): ExpansionEvent {
  if ('n' in event) return { kind: 'notice', notice: event.n };
  if ('v' in event) return { kind: 'coverage', entry: event.v };
  const { location, size, mtime, mode, archiveChain } = event.e;
  const member: MemberRecord = {
    location,
    size,
    ...(mtime !== undefined ? { mtime: new Date(mtime) } : {}),
    ...(mode !== undefined ? { mode } : {}),
    archiveChain,
  };
  return { kind: 'member', member, conclusion: conclusionOf(event.k) };
}

// The stored shapes, field by field. Strict objects: a key this build does not write is not its record.
const MEDIA_TYPES = SNIFFED_MEDIA_TYPES as [MediaType, ...MediaType[]];
const METHODS = Object.keys({ exact: 1, perceptual: 1, record: 1, 'plate-in-image': 1, metadata: 1, unverifiable: 1 } satisfies Record<Method, 1>) as [
  Method,
  ...Method[],
];

/** Epoch milliseconds a Date can hold (anything else is an Invalid Date, which throws when printed). */
const EpochMs = z.number().int().min(-8.64e15).max(8.64e15);
const CoverageSchema = z
  .strictObject({ location: z.string(), reason: z.string(), detail: z.string().optional(), incomplete: z.boolean() })
  .refine(isDeterministic);
const IdentificationSchema = z.strictObject({
  asset: z.string(),
  method: z.enum(METHODS),
  reference: z.string().optional(),
  evidence: z.record(z.string(), z.unknown()).refine((evidence) => isJsonSafe(evidence)),
});
const FactsSchema = z.strictObject({
  capturedAt: EpochMs.optional(),
  capturedAtField: z.string().optional(),
  media: z.enum(MEDIA_TYPES).optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
const ConclusionShape = {
  m: z.enum(MEDIA_TYPES).optional(),
  i: z.array(IdentificationSchema).optional(),
  f: FactsSchema,
  c: z.array(CoverageSchema).optional(),
};
const ConclusionSchema = z.strictObject(ConclusionShape);
const NoticeSchema = z.strictObject({ location: z.string().optional(), level: z.enum(['info', 'warning']), message: z.string() });
const MemberSchema = z.strictObject({
  location: z.string(),
  size: z.number().int().nonnegative(),
  mtime: EpochMs.optional(),
  mode: z.number().int().nonnegative().optional(),
  archiveChain: z.array(z.string()),
});
const EventSchema = z.union([
  z.strictObject({ n: NoticeSchema }),
  z.strictObject({ v: CoverageSchema }),
  z.strictObject({ e: MemberSchema, k: ConclusionSchema }),
]);
const EntrySchema = z.strictObject({ ...ConclusionShape, x: z.array(EventSchema).optional() });
