import type { CoverageEntry, Item } from '../../sources/item.js';
import { isImage, type MediaType } from '../../sources/sniff.js';
import { takeDecodedPlane } from '../decoded-planes.js';
import type { Detector, DetectorFactory, DetectorSetup, DetectResult, Identification } from '../detector.js';
import { NO_RESULT } from '../detector.js';
import { type DecodeResult, decodeImageSource } from '../image-decode.js';
import { DECODE_COVERAGE_REASON } from '../perceptual.js';
import { agencyPlateMatcher } from '../plates/agency-matcher.js';
import { plateKeyId } from '../plates/key.js';
import { anyCharacterRow, hasCharacterRow } from './char-rows.js';
import { gatedRegions, lumaOf, MAX_PLACES } from './gate.js';
import type { Box } from './raster.js';
import { MAX_BOXES } from './read-plates.js';
import { MAX_CANDIDATES } from './spellings.js';

/**
 * Agency plates in pictures nobody fingerprinted (`--read-plates`): an image that no exact or
 * perceptual fingerprint claims is searched for text where the gate (gate.ts) sees plate-like
 * strokes, when one of those places holds a row of characters or a plate panel (char-rows.ts);
 * each plate read is normalised as plate records are (v1), every bounded spelling of it is
 * HMAC'd under the audit's plate key and looked up in the agency plate digests, exactly as the
 * record detector looks up plates in text. A hit makes the image a `plate-image` asset with method
 * `plate-in-image`; its evidence names the text box, the recogniser's confidence and how many
 * spellings were tried, never the plate. Plates that are not the agency's are never reported.
 */

/** Asset class of an image showing an agency plate. */
export const PLATE_IMAGE_CLASS = 'plate-image';
/**
 * Most of the smaller places (past the gate's largest, gate.ts) that the OCR reads in one image,
 * of those that pass the row test; more that pass make the image not fully searched. The row test
 * alone looks at all of them: it is cheap, and an ordinary photo has dozens of small textured places
 * that were otherwise left unchecked and made almost every photo incomplete.
 */
export const MAX_EXTRA_READS = 6;
/** Long side of the decode the OCR reads (the gate reads the perceptual stage's 512). */
export const READ_MAX_SIDE = 1600;
/** Names the OCR models and reading rules in the re-audit cache key: change it when they change. */
const READER_VERSION = 'pp-ocrv4/det640/gate2/rows4/crops3w/spellings2/limits3';

const loadReader = async () => {
  const [{ loadOcrModels }, { readPlates }, { toRgb }] = await Promise.all([import('./models.js'), import('./read-plates.js'), import('./raster.js')]);
  return { models: await loadOcrModels(), readPlates, toRgb };
};

export const plateImageDetector: DetectorFactory = {
  id: 'plate-in-image',
  create(setup: DetectorSetup): Detector | undefined {
    if (!setup.readPlates) return undefined;
    const keyId = setup.plateKey ? plateKeyId(setup.plateKey) : undefined;
    const usable = keyId !== undefined && setup.fingerprints.plateSets.some((s) => s.count > 0 && s.keyId === keyId);
    const matcher = usable ? agencyPlateMatcher(setup.fingerprints, setup.plateKey!) : undefined;
    if (!matcher) {
      setup.notice({
        level: 'warning',
        message: `--read-plates: ${keyId ? 'no agency plate digests were made under this plate key' : 'no plate key given (CUSTODY_PLATE_KEY or a key file)'}: plates in images cannot be checked`,
      });
    }
    // The perceptual stage reports images that cannot be decoded; without it, this detector does.
    const reportDecodeFailures = !setup.fingerprints.hasPerceptual;
    let reader: ReturnType<typeof loadReader> | undefined;
    return {
      id: 'plate-in-image',
      settings: { fingerprints: setup.fingerprints.digests, plateKeyId: keyId ?? null, limits: setup.limits, reader: READER_VERSION },
      needsMedia: true,
      applies: (item, media) => item.content !== undefined && item.size > 0 && isImage(media),
      async detect(item: Item, _media: MediaType | undefined, earlier?: readonly Identification[]): Promise<DetectResult> {
        // Taken first, whatever follows: a plane left behind would live as long as the item.
        const kept = takeDecodedPlane(item.content!);
        if (earlier?.some((i) => i.method === 'exact' || i.method === 'perceptual')) return NO_RESULT;
        const gap = (reason: string, detail: string): DetectResult => ({
          identifications: [],
          coverage: [{ location: item.location, reason, detail, incomplete: true } satisfies CoverageEntry],
        });
        if (!matcher) return gap('plates-in-image-unchecked', 'no usable plate key: the image was not searched for agency plates');
        if (item.size > setup.limits.maxImageBytes)
          return reportDecodeFailures ? gap('decode-limit', `image of ${item.size} bytes exceeds the limit`) : NO_RESULT;
        let bytes: Buffer | undefined;
        const source = { size: item.size, readAll: async () => (bytes ??= await item.content!.readAll()) };
        // The perceptual stage's decode, or its failure: the same bytes fail here as they did there.
        const small: DecodeResult = kept ?? (await decodeImageSource(source, { maxImagePixels: setup.limits.maxImagePixels }));
        if (!small.ok) return reportDecodeFailures ? gap(DECODE_COVERAGE_REASON[small.reason], small.detail) : NO_RESULT;
        const { pixels, width, height, channels } = small.image;
        const luma = lumaOf(pixels, width, height, channels);
        const { regions, extra, dropped } = gatedRegions(luma);
        if (regions.length === 0) return NO_RESULT;
        // The OCR reads the largest places when one of them holds a row of characters or a plate
        // panel (char-rows.ts): the stroke gate alone passes most real photos. The smaller places are
        // tested one by one and only those that pass are read, at most MAX_EXTRA_READS of them;
        // places past a bound were tested by nothing, so an image with some is not fully searched.
        const first = anyCharacterRow(luma, regions) ? regions : [];
        // The smaller places are tested only when the largest give no plate: a photo whose plate the
        // largest places hold (most plate photos) would have its outcome whatever they held.
        let tested: { passed: Box[]; later: Box[] } | undefined;
        const smaller = () => {
          if (tested) return tested;
          const passed = extra.filter((place) => hasCharacterRow(luma, place));
          tested = { passed, later: passed.slice(0, MAX_EXTRA_READS) };
          return tested;
        };
        const unread = (): DetectResult | undefined => {
          if (dropped > 0) return gap('plates-in-image-limit', `${dropped} text-like places past the first ${MAX_PLACES} were not looked at`);
          const { passed, later } = smaller();
          if (passed.length > later.length)
            return gap('plates-in-image-limit', `${passed.length - later.length} places holding a row past the first ${MAX_EXTRA_READS} were not read`);
          return undefined;
        };
        if (first.length === 0 && smaller().later.length === 0) return unread() ?? NO_RESULT;
        // The gate found text-like places: if the larger decode they are read from fails, the image
        // was not searched, whatever the perceptual stage made of the small one.
        const full = await decodeImageSource(source, { maxImagePixels: setup.limits.maxImagePixels, maxSide: READ_MAX_SIDE });
        if (!full.ok) return gap(DECODE_COVERAGE_REASON[full.reason], `the image could not be decoded to read its plates: ${full.detail}`);
        let loaded: Awaited<ReturnType<typeof loadReader>>;
        try {
          loaded = await (reader ??= loadReader());
        } catch (error) {
          return gap('plate-reader-failed', `the OCR models could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
        }
        const rgb = loaded.toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels);
        const scale = full.image.width / width;
        const scaled = (places: Box[]) => places.map((r): Box => ({ x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale }));
        const lookup = (plate: string) => matcher.matchNormalised(plate) >= 0;
        // The largest places are read on their own first, as they were before the smaller ones were
        // tested: the smaller ones' boxes and candidates cannot crowd theirs out of the bounds.
        const read = (places: Box[]) => loaded.readPlates(loaded.models, rgb, scaled(places), lookup);
        const largest = first.length > 0 ? await read(first) : undefined;
        const later = largest && largest.found.length > 0 ? [] : smaller().later;
        const more = later.length > 0 ? await read(later) : undefined;
        // One of the two was read: an image with neither returned above.
        const reading = (
          largest && more ? { ...more, limited: largest.limited ?? more.limited, spellings: largest.spellings + more.spellings } : (largest ?? more)
        )!;
        if (reading.found.length === 0) {
          // A bound that stopped the search before every place was read: not searched, not clean.
          const gapped = unread();
          if (gapped) return gapped;
          if (reading.limited === 'boxes') return gap('plates-in-image-limit', `text boxes past the first ${MAX_BOXES} were not read`);
          if (reading.limited === 'candidates') return gap('plates-in-image-limit', `plate candidates past the first ${MAX_CANDIDATES} were not looked up`);
          return NO_RESULT;
        }
        const best = reading.found[0]!;
        const evidence: Record<string, unknown> = {
          region: `${best.region.width}x${best.region.height} at ${best.region.x},${best.region.y} of ${full.image.width}x${full.image.height}`,
          confidence: best.confidence,
          spellingsTried: reading.spellings,
          spellingMatched: best.spelling,
          plates: reading.found.length,
          keyId,
        };
        return { identifications: [{ asset: PLATE_IMAGE_CLASS, method: 'plate-in-image', evidence }] };
      },
    };
  },
};
