import type { StoreColumns } from '../references/store-format.js';
import type { CoverageEntry, Item } from '../sources/item.js';
import { isImage, type MediaType } from '../sources/sniff.js';
import { keepDecodedPlane, keepDecodeFailure } from './decoded-planes.js';
import type { DetectLimits, Detector, DetectorFactory, DetectResult } from './detector.js';
import { type DecodeFailureReason, type DecodeResult, decodeImageSource } from './image-decode.js';
import { MatchPool } from './pdq/match-pool.js';
import { QUALITY_GATE } from './pdq/match-settings.js';
import { isTileVariant, TILE_THRESHOLD } from './pdq/tiles.js';
import { geometryOf } from './subimage/sub-image-matcher.js';
import { TOO_SMALL_SIDE, tooSmallToMatch } from './subimage/too-small.js';

/**
 * Agency images after they were changed: re-encoded, resized, converted, mirrored, rotated,
 * bordered or trimmed. Every image is decoded by the shared decoder (image-decode.ts, the same
 * policy the fingerprint command uses), converted to luma and tent-filtered once (FilteredPlane),
 * and looked up in a multi-index over every stored reference hash (full view and crop variants):
 *
 * 1. the whole query (bit-exact PDQ) and, when it has uniform borders, the content inside them,
 *    each in all 8 rotations/flips, at distance <= 31 (MATCH_THRESHOLD) from any stored hash;
 * 2. failing that, and only when some stored hash lies within 95 bits in some orientation (small
 *    sets; large sets always try), a grid of query crops in the best orientations collects stored
 *    hashes within 63 bits, the query crop is aligned to the closest few, and the aligned hash must
 *    again be within 31;
 * 3. every candidate of either stage is verified tile by tile (pdq/tiles.ts): a 3x3 grid over the
 *    reference's central 80% is mapped into the query through the match's geometry, and a textured
 *    tile more than 84 bits from its stored hash rejects the candidate. This is what tells apart
 *    two vehicles photographed by the same fixed camera, whose whole hashes can be within 31.
 *
 * 4. a query the first three leave unmatched is searched for pictures inside it (a viewer window in
 *    a screenshot, the cells of a contact sheet, then a picture turned or seen at an angle, warped
 *    upright): each is matched as an image of its own (subimage/), and a claim adds `region: x,y,w,h`
 *    (percent of the query's sides) and its geometry (method, scale, rotation, skew).
 *
 * Hashes with quality below 50 (QUALITY_GATE) never claim a match: such a query yields a
 * `low-quality-hash` coverage note instead. Every claim carries distance, threshold, quality, the
 * stored variant, the query transform and the tile verification as evidence.
 */
export const perceptualDetector: DetectorFactory = {
  id: 'perceptual',
  create(setup) {
    if (!setup.fingerprints.hasPerceptual) return undefined;
    const { columns, tables } = setup.fingerprints;
    const matcher = new MatchPool(columns, tables, setup.threads ?? 1, {}, setup.fingerprints.viewFile);
    if (matcher.size === 0) {
      setup.notice({ level: 'warning', message: `every perceptual hash in the fingerprint set has quality below ${QUALITY_GATE}; perceptual matching is off` });
      return undefined;
    }
    const untiled = untiledReferences(columns, tables.variants);
    if (untiled > 0) {
      setup.notice({
        level: 'warning',
        message: `${untiled} perceptual reference(s) carry no tile hashes (fingerprinted by an older custody): their matches are not tile-verified, so same-scene images may be claimed; run custody fingerprint again`,
      });
    }
    // The sub-image search and the too-small rule are part of the cache key: a conclusion cached before them must not replay.
    return new PerceptualDetector(
      matcher,
      setup.limits,
      {
        fingerprints: setup.fingerprints.digests,
        limits: setup.limits,
        subimage: 'rectangles,grid-cells-own-pixels,quads,outlines,turn-back,screens',
        tooSmallSide: TOO_SMALL_SIDE,
      },
      setup.readPlates === true,
    );
  },
};

/** References with perceptual views but no tile among them (fingerprinted before tiles existed). */
function untiledReferences(columns: StoreColumns, variants: readonly string[]): number {
  const tile = variants.map(isTileVariant);
  let count = 0;
  for (let r = 0; r < columns.sizes.length; r++) {
    const start = columns.viewStart[r]!;
    const end = columns.viewStart[r + 1]!;
    if (end === start) continue;
    let tiled = false;
    for (let v = start; v < end && !tiled; v++) tiled = tile[columns.viewVariant[v]!]!;
    if (!tiled) count++;
  }
  return count;
}

/** The coverage reason of each way a decode fails (the plate reader reports its own decodes with it too). */
export const DECODE_COVERAGE_REASON: Record<DecodeFailureReason, string> = {
  corrupt: 'corrupt-image',
  'too-large': 'decode-limit',
  // Not 'decode-limit': a timeout depends on the machine's load, so it must not be cached.
  timeout: 'decode-timeout',
  unsupported: 'unsupported-image',
};

class PerceptualDetector implements Detector {
  readonly id = 'perceptual';
  readonly needsMedia = true;

  constructor(
    private readonly matcher: MatchPool,
    private readonly limits: DetectLimits,
    readonly settings: Readonly<Record<string, unknown>>,
    /** Hand each decode on to the plate reader (decoded-planes.ts) instead of letting it decode again. */
    private readonly keepPlanes = false,
  ) {}

  applies(item: Item, media: MediaType | undefined): boolean {
    return item.content !== undefined && isImage(media);
  }

  close(): Promise<void> {
    return this.matcher.close();
  }

  async detect(item: Item, media: MediaType | undefined): Promise<DetectResult> {
    const facts = media ? { media } : undefined;
    const gap = (reason: string, detail: string, incomplete = true): DetectResult => ({
      identifications: [],
      ...(facts && { facts }),
      coverage: [{ location: item.location, reason, detail, incomplete } satisfies CoverageEntry],
    });
    if (item.size > this.limits.maxImageBytes) {
      return gap('decode-limit', `image of ${item.size} bytes exceeds the ${this.limits.maxImageBytes}-byte limit for perceptual hashing`);
    }
    let decoded: DecodeResult;
    try {
      // The decoder reads the bytes itself, when its input pool has room (image-decode.ts).
      decoded = await decodeImageSource({ size: item.size, readAll: () => item.content!.readAll() }, { maxImagePixels: this.limits.maxImagePixels });
    } catch (error) {
      return gap('unreadable', error instanceof Error ? error.message : String(error));
    }
    if (!decoded.ok) {
      if (this.keepPlanes) keepDecodeFailure(item.content!, decoded);
      return gap(DECODE_COVERAGE_REASON[decoded.reason], decoded.detail);
    }
    if (this.keepPlanes) keepDecodedPlane(item.content!, decoded.image);
    const outcome = await this.matcher.match(decoded.image);
    // An image this small that no stage claimed could not be checked (a plate crop an ALPR system
    // stored at 40x12): incomplete, never a silent pass. Byte-identical copies are still found by sha256.
    // A flat one is low-quality-hash below, as a flat image of any size is (a spacer or an icon).
    if (outcome.kind === 'no-match' && tooSmallToMatch(decoded.image)) {
      const { width, height } = decoded.image;
      return gap(
        'too-small-to-match',
        `image of ${width}x${height} pixels is under ${TOO_SMALL_SIDE} px on its longer side: too small to identify perceptually`,
      );
    }
    if (outcome.kind === 'low-quality') {
      return gap('low-quality-hash', `PDQ quality ${outcome.quality} is below ${QUALITY_GATE}; a hash this flat cannot support a match claim`, false);
    }
    if (outcome.kind === 'no-match') return { identifications: [], ...(facts && { facts }) };
    const m = outcome.match;
    const located = geometryOf(m);
    return {
      identifications: [
        {
          asset: m.reference.class,
          method: 'perceptual',
          reference: m.reference.id,
          evidence: {
            distance: m.distance,
            threshold: m.threshold,
            quality: m.quality,
            variant: m.variant,
            transform: m.transform,
            tiles: !m.tiles
              ? 'not in the fingerprint set'
              : m.tiles.checked === 0
                ? 'none textured or large enough to check'
                : `${m.tiles.agreeing}/${m.tiles.checked} within ${TILE_THRESHOLD} bits`,
            // Found inside the query (a screenshot, a contact sheet cell): where, and how it was turned.
            ...(located && {
              region: `${located.region.x},${located.region.y},${located.region.width},${located.region.height}` /* percent of the query */,
              geometry: { method: located.method, scale: located.scale, rotation: located.rotation, skew: located.skew },
            }),
          },
        },
      ],
      ...(facts && { facts }),
    };
  }
}
