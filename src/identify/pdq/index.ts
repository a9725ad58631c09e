/** Public surface of the PDQ port, for the fingerprint command, the audit and calibration tools. */
export { PdqHasher, MIN_HASHABLE_DIM, type PdqResult, type Rect } from './pdq-hasher.js';
export { hamming, hashFromHex, hashToHex, popcount32, type Hash256 } from './hash256.js';
export { DIHEDRAL, dihedralHashes, transformDct, type Dihedral } from './dihedral.js';
export { HammingIndex, MAX_INDEX_RADIUS } from './hamming-index.js';
export { findContentRect, type PixelImage } from './borders.js';
export { cropRect, cropVariant, parseVariant, type Crop } from './crops.js';
export {
  ALIGN_CANDIDATE_RADIUS,
  ALIGN_DIHEDRALS,
  ALIGNED_THRESHOLD,
  CONCLUSIVE_DISTANCE,
  REFINE_RADIUS,
  MATCH_THRESHOLD,
  PerceptualMatcher,
  QUALITY_GATE,
  type MatchOutcome,
  type MatcherOptions,
  type PerceptualMatch,
} from './matcher.js';
export { QUERY_CROPS, REFERENCE_CROPS, queryViews, referenceHashes, type QueryView } from './views.js';
export { checkTiles, TILE_GRID, TILE_THRESHOLD, type TileCheck } from './tiles.js';
