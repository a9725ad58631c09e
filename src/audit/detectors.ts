import os from 'node:os';
import { DEFAULT_DETECT_LIMITS, type DetectLimits, type Detector } from '../identify/detector.js';
import { recordDetector } from '../identify/records.js';
import { DETECTORS } from '../identify/registry.js';
import type { LoadedPolicy } from '../policy/load.js';
import { PLATE_RECORD_CLASS } from '../policy/requirements/kind.js';
import type { FingerprintIndex } from '../references/index-set.js';
import type { Notice } from '../sources/item.js';
import { type PlateGap, plateCheck, uncheckedClasses } from './plate-check.js';

/** The identify stage as one audit runs it: its detectors and what they leave unchecked. */
export interface IdentifyStage {
  detectors: Detector[];
  /** Whether items' heads must be sniffed (a detector or archive expansion needs the media type). */
  wantMedia: boolean;
  plateGap: PlateGap;
  /** Asset classes the audit could not look for, with why (for evaluation). */
  unchecked: ReadonlyMap<string, string>;
}

export interface IdentifyRequest {
  policy: LoadedPolicy;
  fingerprints: FingerprintIndex;
  plateKey?: Buffer;
  skipPlates?: boolean;
  /** Search images no fingerprint claims for agency plates (`--read-plates`). */
  readPlates?: boolean;
  limits?: DetectLimits;
  threads?: number;
  /** Whether archives are expanded (they need the media type of every item). */
  archives: boolean;
}

/** Builds every detector that has something to look for in this audit; their notices go to `notices`. */
export function prepareDetectors(request: IdentifyRequest, concurrency: number, notices: Notice[]): IdentifyStage {
  const plateGap = plateCheck(request.fingerprints, request.plateKey, request.skipPlates === true);
  // Without a usable key (or by request) the record detector has nothing to do; the plate check reports the gap.
  const factories = plateGap.noneChecked ? DETECTORS.filter((factory) => factory.id !== recordDetector.id) : DETECTORS;
  const detectors = factories.flatMap((factory) => {
    const detector = factory.create({
      fingerprints: request.fingerprints,
      markers: request.policy.doc.assets.markers,
      limits: request.limits ?? DEFAULT_DETECT_LIMITS,
      threads: request.threads ?? Math.min(concurrency, os.availableParallelism()),
      ...(request.plateKey ? { plateKey: request.plateKey } : {}),
      ...(request.readPlates ? { readPlates: true } : {}),
      notice: (n) => notices.push(n),
    });
    return detector ? [detector] : [];
  });
  return {
    detectors,
    wantMedia: detectors.some((d) => d.needsMedia) || request.archives,
    plateGap,
    unchecked: uncheckedClasses(plateGap, PLATE_RECORD_CLASS),
  };
}

/** Releases what the detectors hold (worker threads). */
export async function closeDetectors(stage: IdentifyStage): Promise<void> {
  await Promise.all(stage.detectors.map((d) => d.close?.()));
}
