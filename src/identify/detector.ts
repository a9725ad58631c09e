import type { MetadataMarker } from '../policy/schema.js';
import type { FingerprintIndex } from '../references/index-set.js';
import type { CoverageEntry, Item, Notice } from '../sources/item.js';
import type { MediaType } from '../sources/sniff.js';

/** How an item was recognised as agency data, strongest first. */
export type Method = 'exact' | 'perceptual' | 'record' | 'plate-in-image' | 'metadata' | 'unverifiable';

export const METHOD_RANK: Record<Method, number> = {
  exact: 0,
  perceptual: 1,
  record: 2,
  'plate-in-image': 3,
  metadata: 4,
  unverifiable: 5,
};

/** One detector's claim that an item is (or may be) agency data. */
export interface Identification {
  /** Asset class id (traveler-image, vehicle-image, plate-record, ...). */
  asset: string;
  method: Method;
  /** Fingerprint reference id, when one is known. */
  reference?: string;
  /** Method evidence: never image bytes, never a plate in clear. */
  evidence: Record<string, unknown>;
}

/** Facts a detector learned about an item that evaluation may use (not claims of ownership). */
export interface ItemFacts {
  /** Capture time from image metadata (DateTimeOriginal and friends). */
  capturedAt?: Date;
  /** Which metadata field gave `capturedAt`. */
  capturedAtField?: string;
  /** Media type sniffed from magic bytes. */
  media?: MediaType;
  /** SHA-256 of the content, when a detector computed it (saves a second read). */
  sha256?: string;
}

/** What a detector returns for one item. */
export interface DetectResult {
  identifications: Identification[];
  facts?: ItemFacts;
  /** Problems inspecting this item (corrupt image, decode limit, ...). */
  coverage?: CoverageEntry[];
}

export const NO_RESULT: DetectResult = Object.freeze({ identifications: [] }) as DetectResult;

/** What a detector factory gets once per audit, to build its own indexes. */
export interface DetectorSetup {
  fingerprints: FingerprintIndex;
  /** Provenance markers declared by the policy (agency images without a fingerprint). */
  markers: readonly MetadataMarker[];
  limits: DetectLimits;
  /** Threads a CPU-bound detector may use besides the calling one (perceptual matching); default 1: none. */
  threads?: number;
  /** Key for plate digests (from CUSTODY_PLATE_KEY or a key file), when given. */
  plateKey?: Buffer;
  /** Search images no fingerprint claims for agency plates (`--read-plates`, plate-reader/detector.ts). */
  readPlates?: boolean;
  /** Tell the user something about the audit as a whole (e.g. "plate key id does not match"). */
  notice(notice: Notice): void;
}

export interface DetectLimits {
  /** Largest decoded image, in pixels (decompression bombs). */
  maxImagePixels: number;
  /** Largest file an image detector reads whole, in bytes. */
  maxImageBytes: number;
}

export const DEFAULT_DETECT_LIMITS: DetectLimits = {
  maxImagePixels: 100_000_000,
  maxImageBytes: 256 * 1024 * 1024,
};

/**
 * A detector: one module in src/identify, one line in the registry (src/identify/registry.ts).
 * `applies` runs on the hot path for every item and must be cheap (size and media type only);
 * `detect` may read content. Detectors never throw for bad content: they return coverage entries.
 */
export interface Detector {
  id: string;
  /**
   * What this detector's conclusions depend on besides an item's bytes and custody's own code
   * (fingerprint digests, markers, limits, a key's id: never a key): its part of the re-audit cache
   * key. Every setting read from {@link DetectorSetup} that can change a conclusion belongs here, or a
   * warm audit would replay results made under other settings (test/cache/detector-settings.test.ts).
   */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Whether this detector needs the media type sniffed (i.e. must read the file head). */
  needsMedia: boolean;
  applies(item: Item, media: MediaType | undefined): boolean;
  /** `earlier`: what the detectors before this one concluded about the item (registry order). */
  detect(item: Item, media: MediaType | undefined, earlier?: readonly Identification[]): Promise<DetectResult>;
  /** Releases what the detector holds (threads); called once, when the audit is done with it. */
  close?(): Promise<void>;
}

/** Builds a detector for one audit, or returns undefined when it has nothing to look for. */
export interface DetectorFactory {
  id: string;
  create(setup: DetectorSetup): Detector | undefined;
}
