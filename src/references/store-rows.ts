import type { PdqEntry, Reference } from './schema.js';
import type { StoreColumns, StoreFooter } from './store-format.js';

/** A column's bytes as a Buffer over the same memory (no copy). */
const bytesOf = (view: Uint8Array): Buffer => Buffer.from(view.buffer, view.byteOffset, view.length);

/** A loaded store's columns, with Buffers over the byte columns made once for all its rows. */
export class StoreRows {
  readonly ids: Buffer;
  readonly sha256: Buffer;
  readonly md5: Buffer;
  readonly viewHash: Buffer;

  constructor(
    readonly columns: StoreColumns,
    readonly footer: Pick<StoreFooter, 'classes' | 'media' | 'variants'>,
  ) {
    this.ids = bytesOf(columns.idBytes);
    this.sha256 = bytesOf(columns.sha256);
    this.md5 = bytesOf(columns.md5);
    this.viewHash = bytesOf(columns.viewHash);
  }

  row(index: number): Reference {
    return new StoreRow(this, index);
  }
}

/**
 * Reference `index` of a loaded store as a `Reference`, each field decoded only when it is read:
 * the store writer walks references once per section and reads one field each time, so a merge
 * that feeds it rows decodes each field once, never the whole reference per section.
 */
class StoreRow implements Reference {
  constructor(
    private readonly store: StoreRows,
    private readonly index: number,
  ) {}

  get id(): string {
    const offsets = this.store.columns.idOffsets;
    return this.store.ids.toString('utf8', offsets[this.index]!, offsets[this.index + 1]!);
  }

  get class(): string {
    return this.store.footer.classes[this.store.columns.classes[this.index]!]!;
  }

  get size(): number {
    return this.store.columns.sizes[this.index]!;
  }

  get sha256(): string {
    return this.store.sha256.toString('hex', this.index * 32, this.index * 32 + 32);
  }

  get md5(): string {
    return this.store.md5.toString('hex', this.index * 16, this.index * 16 + 16);
  }

  get media(): string {
    return this.store.footer.media[this.store.columns.media[this.index]!]!;
  }

  /** Views whose hash is spelled in hex only when read (five of the writer's sections read views). */
  get pdq(): PdqEntry[] | undefined {
    const c = this.store.columns;
    const [start, end] = [c.viewStart[this.index]!, c.viewStart[this.index + 1]!];
    if (end === start) return undefined;
    const views: PdqEntry[] = [];
    for (let v = start; v < end; v++) views.push(new StoreView(this.store, v));
    return views;
  }

  get capturedAt(): string | undefined {
    const time = this.store.columns.capturedAt[this.index]!;
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
}

/** View `index` of a loaded store as a `PdqEntry`. */
class StoreView implements PdqEntry {
  constructor(
    private readonly store: StoreRows,
    private readonly index: number,
  ) {}

  get hash(): string {
    return this.store.viewHash.toString('hex', this.index * 32, this.index * 32 + 32);
  }

  get quality(): number {
    return this.store.columns.viewQuality[this.index]!;
  }

  get variant(): string {
    return this.store.footer.variants[this.store.columns.viewVariant[this.index]!]!;
  }
}

/** Every id of a store, in its order (decoded one at a time). */
export function* storeIds(columns: StoreColumns): Generator<string> {
  const ids = bytesOf(columns.idBytes);
  for (let i = 0; i + 1 < columns.idOffsets.length; i++) yield ids.toString('utf8', columns.idOffsets[i]!, columns.idOffsets[i + 1]!);
}

/** The store's plate digests as hex strings, sorted. */
export function plateDigestList(digests: Uint8Array): string[] {
  const bytes = bytesOf(digests);
  const list: string[] = [];
  for (let at = 0; at < bytes.length; at += 32) list.push(bytes.toString('hex', at, at + 32));
  return list;
}

/** Whether a sorted column of 32-byte digests holds `hex` (binary search). */
export function hasDigest(digests: Uint8Array, hex: string): boolean {
  const bytes = bytesOf(digests);
  const wanted = Buffer.from(hex, 'hex');
  let [low, high] = [0, bytes.length / 32];
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = Buffer.compare(bytes.subarray(middle * 32, middle * 32 + 32), wanted);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return false;
}

/**
 * Whether two references hold the same content as a store records it: capture times compared as
 * instants (a store keeps UTC milliseconds) and an empty view list the same as none.
 */
export function sameContent(a: Reference, b: Reference): boolean {
  const time = (r: Reference) => (r.capturedAt === undefined ? Number.NaN : Date.parse(r.capturedAt));
  const views = (r: Reference) => JSON.stringify((r.pdq ?? []).map((v) => [v.hash, v.quality, v.variant]));
  return (
    a.id === b.id &&
    a.class === b.class &&
    a.size === b.size &&
    a.sha256 === b.sha256 &&
    a.md5 === b.md5 &&
    a.media === b.media &&
    Object.is(time(a), time(b)) &&
    views(a) === views(b)
  );
}
