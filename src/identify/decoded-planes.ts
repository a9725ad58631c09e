import type { DecodedImage, DecodeResult } from './image-decode.js';

/**
 * The perceptual stage's decode of an image (long side 512), handed on to the plate reader that
 * runs after it on the same item, so `--read-plates` does not decode every image a second time
 * (the decode is most of an image's audit cost: about 20 ms of CPU for a camera JPEG).
 *
 * Keyed by the item's content object, which both detectors are given, and held weakly; the plate
 * reader takes each plane out when it sees the item, so planes never pile up while an audit keeps
 * its items. Only kept when a plate reader will take them (`--read-plates`). A decode that failed
 * for the image's own bytes is kept too: the reader's decode of them fails alike, and costs a JPEG
 * that breaks late as much as one that decodes (about 4 ms each of the bench's 20 broken photos,
 * 20 ms the largest).
 */
const planes = new WeakMap<object, DecodeResult>();

/** Keeps `image`, decoded from `content`, for the next detector of the same item. */
export function keepDecodedPlane(content: object, image: DecodedImage): void {
  planes.set(content, { ok: true, image });
}

/**
 * Keeps the failure of `content`'s decode for the next detector of the same item, unless it ran
 * out of time: a decode that timed out may finish when tried again.
 */
export function keepDecodeFailure(content: object, failure: DecodeResult & { ok: false }): void {
  if (failure.reason !== 'timeout') planes.set(content, failure);
}

/** The decode kept for `content` (a plane, or why there is none), removed; undefined when no earlier stage decoded it. */
export function takeDecodedPlane(content: object): DecodeResult | undefined {
  const image = planes.get(content);
  planes.delete(content);
  return image;
}
