import { ViewFileReader } from '../../references/view-file.js';
import { newHash } from './hash256.js';
import { type PdqIndex, storedHash } from './pdq-index.js';
import { type StoredTile, tileCell } from './tiles.js';

/** References whose parsed tiles are kept (a candidate is often verified twice). */
const TILE_CACHE = 256;

/**
 * The stored tiles of an index's references, read only for the candidates a query verifies: from
 * the columns, or (a large store keeps its views in its file) with one read of the reference's views.
 */
export class IndexTiles {
  /** Tile row/column per variant-table index (undefined: not a tile). */
  private readonly cells: readonly ({ row: number; col: number } | undefined)[];
  private readonly cache = new Map<number, readonly StoredTile[]>();
  private reader: ViewFileReader | undefined;

  constructor(private readonly index: PdqIndex) {
    this.cells = index.tables.variants.map(tileCell);
  }

  /** Reference `reference`'s stored tiles (none for a reference fingerprinted before tiles existed). */
  of(reference: number): readonly StoredTile[] {
    const known = this.cache.get(reference);
    if (known) return known;
    const { viewStart, viewVariant, viewQuality, viewHash } = this.index.columns;
    const start = viewStart[reference]!;
    const end = viewStart[reference + 1]!;
    let hashes = viewHash;
    let base = 0;
    if (this.index.viewFile && end > start) {
      this.reader ??= new ViewFileReader(this.index.viewFile);
      hashes = new Uint8Array((end - start) * 32);
      this.reader.read(start, end - start, hashes);
      base = start;
    }
    const tiles: StoredTile[] = [];
    for (let v = start; v < end; v++) {
      const cell = this.cells[viewVariant[v]!];
      if (cell) tiles.push({ ...cell, hash: storedHash(hashes, v - base, newHash()), quality: viewQuality[v]! });
    }
    if (this.cache.size >= TILE_CACHE) this.cache.clear();
    this.cache.set(reference, tiles);
    return tiles;
  }
}
