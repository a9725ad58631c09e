import type { DetectorFactory } from './detector.js';
import { exactDetector } from './exact.js';
import { metadataDetector } from './metadata.js';
import { perceptualDetector } from './perceptual.js';
import { plateImageDetector } from './plate-reader/detector.js';
import { recordDetector } from './records.js';

/** Every detector, strongest evidence first. A new detector is one file plus one line here. */
export const DETECTORS: readonly DetectorFactory[] = [exactDetector, perceptualDetector, recordDetector, plateImageDetector, metadataDetector];
