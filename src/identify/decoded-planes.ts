import type { DecodedImage } from './image-decode.js';

/**
 * The perceptual stage's decode of an image (long side 512), handed on to the plate reader that
 * runs after it on the same item, so `--read-plates` does not decode every image a second time
 * (the decode is most of an image's audit cost: about 20 ms of CPU for a camera JPEG).
 *
 * Keyed by the item's content object, which both detectors are given, and held weakly; the plate
 * reader takes each plane out when it sees the item, so planes never pile up while an audit keeps
 * its items. Only kept when a plate reader will take them (`--read-plates`).
 */
const planes = new WeakMap<object, DecodedImage>();

/** Keeps `image`, decoded from `content`, for the next detector of the same item. */
export function keepDecodedPlane(content: object, image: DecodedImage): void {
  planes.set(content, image);
}

/** The plane kept for `content`, removed; undefined when no earlier stage decoded it. */
export function takeDecodedPlane(content: object): DecodedImage | undefined {
  const image = planes.get(content);
  planes.delete(content);
  return image;
}
