import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { HashedReads } from './hashed-reads.js';
import { type PlateFile, readPlateKeys } from './plate-file.js';
import { firstNotAscending } from './store-check.js';
import { elementsOf, SECTION_ORDER, SECTIONS, type SectionName, STORE_MAGIC, type StoreColumns, type StoreFooter } from './store-format.js';
import type { Refuse, Segment } from './store-segments.js';

type Counts = StoreFooter['counts'];
const READ_CHUNK = 8 * 1024 * 1024;
const MAX_U32 = 2 ** 32 - 1;
const MIB = 2 ** 20;

/**
 * The sections of a whole store, each in its own SharedArrayBuffer sized by the store's total
 * counts, filled segment by segment (readSegment) and then wrapped as StoreColumns (columnsOf).
 */
export class ColumnTarget {
  private readonly buffers = {} as Record<SectionName, SharedArrayBuffer>;
  /** Elements of each kind read so far: where the next segment's sections go. */
  readonly base: Counts = { references: 0, views: 0, idBytes: 0, plates: 0 };
  private readonly plateRuns: [number, number][] = [];
  /** Where each segment's view hashes lie in the file, when they are left there (`leaveViews`). */
  readonly viewSegments: { firstView: number; views: number; offset: number }[] = [];
  /** Where the plate digests are and their compact table, when they are left in the file (`leavePlates`). */
  plateKeys: (Omit<PlateFile, 'digests'> & { offset: number }) | undefined;

  /**
   * With `leaveViews`, the view hashes are hashed but not kept: `viewHash` is empty and `viewSegments`
   * says where they are; `viewReference` is checked as it is read and not kept either (empty). With
   * `leavePlates` (only for a store whose plate digests are all in one segment: several would need
   * merging), the same for the plate digests, and `plateKeys` is set.
   */
  constructor(
    readonly totals: Counts,
    refuse: Refuse,
    private readonly leaveViews = false,
    private readonly leavePlates = false,
  ) {
    if (totals.idBytes > MAX_U32 || totals.views > MAX_U32 || totals.references >= MAX_U32)
      refuse('fingerprint store segments together exceed the 2^32 ids bytes, views or references a store holds');
    for (const name of SECTION_ORDER) {
      const left = ((name === 'viewHash' || name === 'viewReference') && leaveViews) || (name === 'plateDigests' && leavePlates);
      const bytes = left ? 0 : elementsOf(name, totals) * SECTIONS[name].bytes;
      try {
        this.buffers[name] = new SharedArrayBuffer(bytes);
      } catch {
        // Out of memory, or past the largest buffer this Node.js makes.
        refuse(`fingerprint store section ${name} of ${Math.ceil(bytes / MIB)} MiB does not fit in one buffer of this process`);
      }
    }
  }

  /**
   * Reads one segment's bytes in file order into `content` (the digest hash), each section straight
   * into its place in the whole store's buffer, then checks its offsets and rebases them onto the
   * segments before it. Every byte between sections (head, padding) is hashed too.
   */
  async readSegment(handle: FileHandle, segment: Segment, content: Hash, refuse: Refuse): Promise<void> {
    const { footer, start, footerOffset } = segment;
    const counts = footer.counts;
    // In the order custody writes them, each after the one before: a later section's check may read
    // an earlier one (the view owners read viewStart), so a footer listing them otherwise is refused.
    const spans = SECTION_ORDER.map((name) => ({ name, ...footer.sections[name] }));
    let at = start;
    const reads = new HashedReads(handle, content, refuse);
    const magic = (piece: Uint8Array) => {
      if (!Buffer.from(piece.buffer, piece.byteOffset, STORE_MAGIC.length).equals(STORE_MAGIC))
        refuse('not a fingerprint store: wrong magic at the start (damaged)');
    };
    const skip = async (to: number) => {
      for (; at < to; ) {
        const piece = reads.scratch(Math.min(READ_CHUNK, to - at));
        await reads.push(piece, at, at === 0 ? magic : undefined);
        at += piece.length;
      }
      at = to;
    };
    const headless = start === 0 ? STORE_MAGIC.length : start;
    for (const { name, offset, length } of spans) {
      const elements = elementsOf(name, counts);
      if (offset >= headless && offset < at)
        refuse(`fingerprint store section ${name} lies before the end of the section custody writes before it (at ${offset}, before ${at})`);
      if (offset < headless || offset < at || offset % 8 !== 0 || offset + length > footerOffset || length !== elements * SECTIONS[name].bytes)
        refuse(`fingerprint store section ${name} is out of bounds (${length} bytes at ${offset}; ${elements} elements expected)`);
      await skip(offset);
      if (name === 'viewHash' && this.leaveViews) {
        this.viewSegments.push({ firstView: this.base.views, views: counts.views, offset });
        await skip(offset + length);
        continue;
      }
      if (name === 'viewReference') {
        // Kept in its buffer, or with the views left in the file only hashed: checked as it is read either way.
        const into = this.leaveViews ? undefined : new Uint8Array(this.buffers[name], this.firstElement(name) * SECTIONS[name].bytes, length);
        await this.checkOwners(reads, offset, counts, refuse, into);
        at = offset + length;
        continue;
      }
      if (name === 'plateDigests' && this.leavePlates) {
        if (elements > 0) this.plateKeys = { ...(await readPlateKeys(reads, offset, elements, refuse)), offset };
        at = offset + length;
        continue;
      }
      const into = new Uint8Array(this.buffers[name], this.firstElement(name) * SECTIONS[name].bytes, length);
      for (let done = 0; done < length; done += READ_CHUNK) await reads.push(into.subarray(done, Math.min(length, done + READ_CHUNK)), offset + done);
      at = offset + length;
    }
    await skip(footerOffset);
    await reads.flush();
    this.rebase(counts, refuse);
  }

  /**
   * Reads a segment's `viewReference` section (into `into`, or with the views left in the file into
   * scratch, not kept: it only repeats `viewStart`, and at ten million references it is 480 MB of an
   * audit's peak, where a matcher finds a view's reference by {@link referenceOfView}) and checks
   * each value as it is read: view v's must be the reference whose range of the segment's own
   * `viewStart` (read before it, not yet rebased) holds v. checkColumns checks `viewStart` monotonic.
   */
  private async checkOwners(reads: HashedReads, offset: number, counts: Counts, refuse: Refuse, into?: Uint8Array): Promise<void> {
    const starts = new Uint32Array(this.buffers.viewStart, this.base.references * 4, counts.references + 1);
    const first = this.base.views;
    let owner = 0;
    const length = counts.views * 4;
    for (let done = 0; done < length; done += READ_CHUNK) {
      const from = done / 4;
      const n = Math.min(READ_CHUNK, length - done);
      const piece = into ? into.subarray(done, done + n) : reads.scratch(n);
      await reads.push(piece, offset + done, (bytes) => {
        const values = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
        for (let k = 0; k < values.length; k++) {
          const v = from + k;
          while (owner < counts.references && starts[owner + 1]! <= v) owner++;
          if (values[k] !== owner) refuse(`fingerprint store column viewReference holds an invalid value at ${first + v}`);
        }
      });
    }
  }

  /** Where a section's first element of the next segment goes, in elements. */
  private firstElement(name: SectionName): number {
    const per = SECTIONS[name].per;
    if (per === 'reference' || per === 'reference+1') return this.base.references;
    if (per === 'view') return this.base.views;
    if (per === 'plate') return this.base.plates;
    return this.base.idBytes;
  }

  private rebase(counts: Counts, refuse: Refuse): void {
    const { references, views, idBytes } = this.base;
    const bad = (column: string, at: number): never => refuse(`fingerprint store column ${column} holds an invalid value at ${at}`);
    // A segment's offsets run from 0 to its own total; its last one is overwritten by the next
    // segment's first, so both ends are checked here, before they are rebased.
    const rebased = (name: 'idOffsets' | 'viewStart', by: number, total: number) => {
      const offsets = new Uint32Array(this.buffers[name], references * 4, counts.references + 1);
      if (offsets[0] !== 0) bad(name, references);
      if (offsets[counts.references] !== total) bad(name, references + counts.references);
      if (by > 0) for (let i = 0; i < offsets.length; i++) offsets[i] = offsets[i]! + by;
    };
    rebased('idOffsets', idBytes, counts.idBytes);
    rebased('viewStart', views, counts.views);
    // Each view's reference was checked against its segment's viewStart as it was read (checkOwners).
    if (references > 0 && !this.leaveViews) {
      const owner = new Uint32Array(this.buffers.viewReference, views * 4, counts.views);
      for (let v = 0; v < owner.length; v++) owner[v] = owner[v]! + references;
    }
    // Each segment's digests sorted and distinct, so that the merge of the runs is too (left in
    // the file, they were checked as they were read).
    if (!this.leavePlates) this.checkPlates(counts, refuse);
    this.base.references += counts.references;
    this.base.views += counts.views;
    this.base.idBytes += counts.idBytes;
    this.base.plates += counts.plates;
  }

  private checkPlates(counts: Counts, refuse: Refuse): void {
    const plates = this.base.plates;
    const digests = new Uint8Array(this.buffers.plateDigests, plates * 32, counts.plates * 32);
    const unsorted = firstNotAscending(digests, 32);
    if (unsorted >= 0) refuse(`fingerprint store column plateDigests holds an invalid value at ${plates + unsorted}`);
    if (counts.plates > 0) this.plateRuns.push([plates, plates + counts.plates]);
  }

  /** The whole store's columns; plate digests of several segments merged sorted and distinct. */
  columns(): { columns: StoreColumns; plates: number } {
    const b = this.buffers;
    const plateDigests = mergeRuns(new Uint8Array(b.plateDigests), this.plateRuns);
    return {
      plates: this.plateKeys ? this.plateKeys.count : plateDigests.length / 32,
      columns: {
        idOffsets: new Uint32Array(b.idOffsets),
        idBytes: new Uint8Array(b.idBytes),
        classes: new Uint16Array(b.classes),
        sizes: new Float64Array(b.sizes),
        sha256: new Uint8Array(b.sha256),
        md5: new Uint8Array(b.md5),
        media: new Uint16Array(b.media),
        capturedAt: new Float64Array(b.capturedAt),
        viewStart: new Uint32Array(b.viewStart),
        viewHash: new Uint8Array(b.viewHash),
        viewReference: new Uint32Array(b.viewReference),
        viewQuality: new Uint8Array(b.viewQuality),
        viewVariant: new Uint16Array(b.viewVariant),
        plateDigests,
      },
    };
  }
}

/**
 * Sorted runs of 32-byte digests (one per segment) merged into one sorted distinct run, in a new
 * SharedArrayBuffer; a single run is returned as it is. Each step scans the runs' heads,
 * fine for the tens of segments a store gathers (a heap would pay off past hundreds).
 */
function mergeRuns(all: Uint8Array, runs: [number, number][]): Uint8Array {
  if (runs.length <= 1) return runs.length === 0 ? all.subarray(0, 0) : all.subarray(runs[0]![0] * 32, runs[0]![1] * 32);
  const out = new Uint8Array(new SharedArrayBuffer(all.length));
  const at = runs.map(([from]) => from);
  const digest = (i: number) => all.subarray(i * 32, i * 32 + 32);
  let written = 0;
  for (;;) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) if (at[r]! < runs[r]![1] && (best < 0 || Buffer.compare(digest(at[r]!), digest(at[best]!)) < 0)) best = r;
    if (best < 0) break;
    const next = digest(at[best]!);
    if (written === 0 || Buffer.compare(out.subarray(written - 32, written), next) !== 0) {
      out.set(next, written);
      written += 32;
    }
    at[best]!++;
  }
  return out.subarray(0, written);
}
