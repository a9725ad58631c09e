import type { FingerprintSet, PlateSet, Reference } from './schema.js';
import type { StoreColumns } from './store-format.js';

/** A loaded fingerprint file and where it came from. */
export interface LoadedFingerprints {
  path: string;
  file: FingerprintSet;
  /** A v2 store's raw columns (shared memory), for consumers that scan them without objects. */
  columns?: StoreColumns;
}

/**
 * Lookup structures over one or more fingerprint files, built once per audit. Detectors build their
 * own specialised indexes (perceptual, plates) from `references` and `plateSets`.
 */
export class FingerprintIndex {
  readonly references: readonly Reference[];
  readonly plateSets: readonly PlateSet[];
  /** Reference sizes: the exact-match prefilter. A file is only hashed when its size is in here. */
  readonly sizes: ReadonlySet<number>;
  private readonly bySha256 = new Map<string, Reference>();
  private readonly byMd5 = new Map<string, Reference>();

  constructor(readonly sets: readonly LoadedFingerprints[]) {
    this.references = sets.flatMap((s) => s.file.references);
    this.plateSets = sets.flatMap((s) => (s.file.plates ? [s.file.plates] : []));
    this.sizes = new Set(this.references.map((r) => r.size));
    for (const ref of this.references) {
      // First one wins, so the result does not depend on Map insertion races.
      if (!this.bySha256.has(ref.sha256)) this.bySha256.set(ref.sha256, ref);
      if (!this.byMd5.has(ref.md5)) this.byMd5.set(ref.md5, ref);
    }
  }

  static empty(): FingerprintIndex {
    return new FingerprintIndex([]);
  }

  bySha(sha256: string): Reference | undefined {
    return this.bySha256.get(sha256);
  }

  byMd5Digest(md5: string): Reference | undefined {
    return this.byMd5.get(md5);
  }

  /** The digest of each fingerprint file, in the order given: what a set's conclusions depend on. */
  get digests(): string[] {
    return this.sets.map((s) => s.file.digest);
  }

  get hasPerceptual(): boolean {
    return this.references.some((r) => (r.pdq?.length ?? 0) > 0);
  }
}
