import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';
import { UsageError } from '../util/errors.js';
import { type WriteGuard, writeOutside } from '../util/safe-write.js';
import type { PlateSet, Reference } from './schema.js';
import {
  elementsOf,
  padding,
  SECTION_ORDER,
  SECTIONS,
  type SectionName,
  STORE_FORMAT,
  STORE_MAGIC,
  STORE_VERSION,
  type StoreFooter,
  TRAILER_BYTES,
} from './store-format.js';
import { ChunkSink } from './store-sink.js';

/** What a store records besides references and plates (as v1 does). */
export interface StoreMeta {
  tool: { name: 'custody'; version: string };
  createdAt: string;
  roots: string[];
}

/**
 * References for the writer, as a function returning a fresh iteration each call: columns are
 * written one after another, so the references are walked once per column (an array costs
 * nothing; a generator is simply run again). Nothing per reference is kept between walks.
 */
export type ReferenceSource = () => Iterable<Reference>;

/** The digest and size of a written store (or of an appended segment: the bytes it added). */
export interface StoreSummary {
  digest: string;
  bytes: number;
  references: number;
}

const MAX_U32 = 2 ** 32 - 1;

/**
 * Where an appended segment continues an existing store (see store-append.ts): the segment starts
 * at `position` without a head, its tables extend `tables`, its counts add to `counts` (the u32
 * offsets must hold the whole store's), its footer's `previous` is `previous` and its digest hash
 * starts with the bytes of `digest`.
 */
export interface SegmentBase {
  position: number;
  previous: { offset: number; length: number };
  digest: string;
  tables: Pick<StoreFooter, 'classes' | 'media' | 'variants'>;
  counts: StoreFooter['counts'];
}

/**
 * The store's bytes in order, in chunks of about 1 MiB, never more of the file at once. `summary`
 * is filled in when the last chunk has been produced.
 */
export function* storeChunks(
  references: ReferenceSource,
  plates: PlateSet | undefined,
  meta: StoreMeta,
  summary: Partial<StoreSummary> = {},
  base?: SegmentBase,
): Generator<Buffer> {
  const content = createHash('sha256');
  if (base) content.update(Buffer.from(base.digest.slice('sha256:'.length), 'hex'));
  const sink = new ChunkSink(content, base?.position ?? 0);
  const tables = {
    classes: new Table('class', base?.tables.classes),
    media: new Table('media type', base?.tables.media),
    variants: new Table('PDQ variant', base?.tables.variants),
  };
  // Sorted and distinct, as v1 promises and the reader checks (a v1 file's schema does not enforce it).
  const plateDigests = [...new Set(plates?.digests)].sort();
  const counts = { references: 0, views: 0, idBytes: 0, plates: plateDigests.length };
  const before = base?.counts ?? { references: 0, views: 0, idBytes: 0, plates: 0 };
  const sections = {} as StoreFooter['sections'];
  if (!base) sink.bytes(STORE_MAGIC);
  for (const name of SECTION_ORDER) {
    const offset = sink.position;
    let seen = 0;
    for (const reference of name === 'plateDigests' ? [] : references()) {
      writeElement(sink, name, reference, seen, counts, before, tables);
      seen++;
      if (sink.hasFull) yield* sink.drain();
    }
    if (name === 'idOffsets') counts.references = seen;
    else if (name !== 'plateDigests' && seen !== counts.references)
      throw new Error(`the references changed between columns (${counts.references}, then ${seen})`);
    if (name === 'idOffsets') sink.u32(counts.idBytes);
    if (name === 'viewStart') sink.u32(counts.views);
    if (name === 'plateDigests') for (const digest of plateDigests) sink.hex(digest, 32);
    sections[name] = { offset, length: sink.position - offset };
    const expected = elementsOf(name, counts) * SECTIONS[name].bytes;
    if (sections[name].length !== expected) throw new Error(`section ${name}: wrote ${sections[name].length} bytes, expected ${expected}`);
    sink.zeros(padding(sink.position));
    yield* sink.drain();
  }
  yield* sink.end();
  const footerOffset = sink.position;
  const { digests: _digests, ...plateMeta } = plates ?? { digests: [] };
  const body: Omit<StoreFooter, 'createdAt' | 'digest'> = {
    format: STORE_FORMAT,
    version: STORE_VERSION,
    tool: meta.tool,
    roots: meta.roots,
    counts,
    classes: tables.classes.values,
    media: tables.media.values,
    variants: tables.variants.values,
    ...(plates ? { plates: plateMeta as NonNullable<StoreFooter['plates']> } : {}),
    sections,
    previous: base?.previous ?? null,
  };
  const digest = `sha256:${content.update(canonicalJson(body)).digest('hex')}`;
  const footer = Buffer.from(canonicalJson({ ...body, createdAt: meta.createdAt, digest }), 'utf8');
  const padded = Buffer.concat([footer, Buffer.alloc(padding(footer.length))]);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeBigUInt64LE(BigInt(footerOffset), 0);
  trailer.writeUInt32LE(footer.length, 8);
  trailer.writeUInt32LE(STORE_VERSION, 12);
  createHash('sha256').update(padded).digest().copy(trailer, 16);
  STORE_MAGIC.copy(trailer, 48);
  yield padded;
  yield trailer;
  const start = base?.position ?? 0;
  Object.assign(summary, { digest, bytes: footerOffset + padded.length + TRAILER_BYTES - start, references: counts.references });
}

/** Writes a store at `shown` (relative to `cwd`) through the write guard, streaming. */
export async function writeStore(
  references: ReferenceSource,
  plates: PlateSet | undefined,
  meta: StoreMeta,
  out: { guard: WriteGuard; cwd: string; path: string },
): Promise<StoreSummary> {
  const summary: Partial<StoreSummary> = {};
  await writeOutside(out.guard, out.cwd, out.path, storeChunks(references, plates, meta, summary));
  return summary as StoreSummary;
}

function writeElement(
  sink: ChunkSink,
  name: SectionName,
  ref: Reference,
  index: number,
  counts: { views: number; idBytes: number },
  before: { views: number; idBytes: number },
  tables: Record<'classes' | 'media' | 'variants', Table>,
): void {
  const views = ref.pdq ?? [];
  switch (name) {
    case 'idOffsets':
      if (/\p{Cs}/u.test(ref.id)) throw new UsageError(`reference id ${JSON.stringify(ref.id)} is not well-formed Unicode`);
      sink.u32(counts.idBytes);
      counts.idBytes += Buffer.byteLength(ref.id, 'utf8');
      if (before.idBytes + counts.idBytes > MAX_U32) throw new UsageError('reference ids exceed 4 GiB, the most a store holds');
      return;
    case 'idBytes':
      return sink.utf8(ref.id);
    case 'classes':
      return sink.u16(tables.classes.index(ref.class));
    case 'sizes':
      return sink.f64(ref.size);
    case 'sha256':
      return sink.hex(ref.sha256, 32);
    case 'md5':
      return sink.hex(ref.md5, 16);
    case 'media':
      return sink.u16(tables.media.index(ref.media));
    case 'capturedAt':
      return sink.f64(ref.capturedAt === undefined ? Number.NaN : Date.parse(ref.capturedAt));
    case 'viewStart':
      sink.u32(counts.views);
      counts.views += views.length;
      if (before.views + counts.views > MAX_U32) throw new UsageError('more than 2^32-1 PDQ views, the most a store holds');
      return;
    case 'viewHash':
      for (const view of views) sink.hex(view.hash, 32);
      return;
    case 'viewReference':
      for (const _view of views) sink.u32(index);
      return;
    case 'viewQuality':
      for (const view of views) sink.u8(view.quality);
      return;
    case 'viewVariant':
      for (const view of views) sink.u16(tables.variants.index(view.variant));
      return;
  }
}

/** Strings numbered in order of first appearance (class, media and variant names). */
class Table {
  readonly values: string[];
  private readonly numbers = new Map<string, number>();
  constructor(
    private readonly what: string,
    earlier: readonly string[] = [],
  ) {
    this.values = [...earlier];
    for (const [n, value] of this.values.entries()) this.numbers.set(value, n);
  }

  index(value: string): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.push(value) - 1;
      if (n > 0xffff) throw new UsageError(`more than 65,536 distinct ${this.what} names, the most a store holds`);
      this.numbers.set(value, n);
    }
    return n;
  }
}
