import { createRequire } from 'node:module';
import { lazy } from '../util/lazy.js';

/**
 * HEIC/HEIF decoding for images whose codec sharp's libvips lacks. sharp's prebuilt binaries decode
 * AVIF (AV1) but not HEVC, which is what every iPhone photo since 2017 uses; libheif-js is libheif
 * with libde265 compiled to WebAssembly, shipped inside its npm package (nothing is downloaded at run
 * time). heic-decode wraps the same module, but decodes the first top-level image, which is not
 * always the primary one (a burst or a depth map may come first); here the primary image is chosen,
 * through libheif's own bindings.
 *
 * Cost, measured on the real camera files in shared/corpora (one 2-core machine): 0.6 s for a 640x426
 * HEIF, 2.6-6.4 s for 12-16 megapixel phone photos; the WebAssembly heap grows to the largest image
 * decoded on the thread and stays (about 400 MiB after a 16-megapixel photo). The decode runs on the
 * calling thread and cannot be interrupted, so the pixel limit is checked on the header first.
 */

/** An error as libheif's bindings return one: a `code` (an embind enum value) and its message. */
interface HeifError {
  code: unknown;
  message?: string;
}

/** An image handle: an opaque embind object. */
type Handle = object;

/** What `heif_js_decode_image2` answers: the planes, or an error. */
interface DecodedPlanes extends Partial<HeifError> {
  channels?: { id: unknown; width: number; height: number; stride: number; data: Uint8Array }[];
}

/**
 * The parts of libheif's Emscripten bindings (`heif_emscripten.h`) custody calls. Its HeifDecoder
 * and HeifImage wrappers are not used: they log every failure with console.log (which would land in
 * custody's output) and decode on a timer.
 */
interface LibHeif {
  heif_context_alloc(): object | null;
  heif_context_free(context: object): void;
  heif_context_read_from_memory(context: object, bytes: Uint8Array): HeifError;
  heif_js_context_get_list_of_top_level_image_IDs(context: object): number[] | HeifError;
  heif_js_context_get_image_handle(context: object, id: number): Handle | HeifError;
  heif_image_handle_is_primary_image(handle: Handle): number | boolean;
  heif_image_handle_get_width(handle: Handle): number;
  heif_image_handle_get_height(handle: Handle): number;
  heif_image_handle_release(handle: Handle): void;
  heif_js_decode_image2(handle: Handle, colorspace: unknown, chroma: unknown): DecodedPlanes | Promise<DecodedPlanes>;
  heif_error_code: { heif_error_Ok: unknown };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
}

/** True for an error answer (success answers carry no code, or the Ok code). */
const isError = (lib: LibHeif, answer: unknown): answer is HeifError =>
  answer === null ||
  answer === undefined ||
  (typeof answer === 'object' && 'code' in answer && answer.code !== undefined && answer.code !== lib.heif_error_code.heif_error_Ok);

// The bundle embeds the WebAssembly binary, so it loads without a file path; it is CommonJS only.
const libheif = lazy(async (): Promise<LibHeif> => {
  const require = createRequire(import.meta.url);
  const module = require('libheif-js/wasm-bundle') as LibHeif & { ready?: Promise<unknown> };
  await module.ready;
  return module;
});

/** RGBA pixels of a HEIF's primary image, its transformations (rotation, mirror, crop) applied. */
export interface HeifPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Why a HEIF was not decoded: the pixel limit (known from the header), or what libheif said. */
export class HeifDecodeError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Decodes the primary image of a HEIF file to RGBA. Throws HeifDecodeError: `tooLarge` when the
 * header's size passes `maxPixels` (nothing is decoded), otherwise libheif's complaint.
 */
export async function decodeHeif(bytes: Uint8Array, maxPixels: number): Promise<HeifPixels> {
  const lib = await libheif();
  const context = lib.heif_context_alloc();
  if (!context) throw new HeifDecodeError('libheif: could not allocate a context');
  const handles: Handle[] = [];
  try {
    const read = lib.heif_context_read_from_memory(context, bytes);
    if (isError(lib, read)) throw new HeifDecodeError(`libheif: ${(read.message ?? 'unreadable').trim()}`);
    const ids = lib.heif_js_context_get_list_of_top_level_image_IDs(context);
    if (!Array.isArray(ids)) throw new HeifDecodeError(`libheif: ${(ids?.message ?? 'no image list').trim()}`);
    for (const id of ids) {
      const handle = lib.heif_js_context_get_image_handle(context, id);
      if (!isError(lib, handle)) handles.push(handle);
    }
    const handle = handles.find((candidate) => Boolean(lib.heif_image_handle_is_primary_image(candidate))) ?? handles[0];
    if (handle === undefined) throw new HeifDecodeError('no image in the HEIF file');
    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    if (width <= 0 || height <= 0) throw new HeifDecodeError(`HEIF image of ${width}x${height}`);
    if (width * height > maxPixels) throw new HeifDecodeError(`HEIF image of ${width}x${height} is over the pixel limit`, true);
    const planes = await lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB, lib.heif_chroma.heif_chroma_interleaved_RGBA);
    const plane = planes?.channels?.find((channel) => channel.id === lib.heif_channel.heif_channel_interleaved);
    if (isError(lib, planes) || !plane) throw new HeifDecodeError(`libheif: ${(planes?.message ?? 'no image data').trim()}`);
    if (plane.width !== width || plane.height !== height || plane.stride < width * 4) {
      throw new HeifDecodeError(`libheif decoded ${plane.width}x${plane.height}, the header says ${width}x${height}`);
    }
    const data = new Uint8Array(width * height * 4);
    for (let row = 0; row < height; row++) data.set(plane.data.subarray(row * plane.stride, row * plane.stride + width * 4), row * width * 4);
    return { data, width, height };
  } catch (error) {
    if (error instanceof HeifDecodeError) throw error;
    throw new HeifDecodeError(`libheif: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const handle of handles) lib.heif_image_handle_release(handle);
    lib.heif_context_free(context);
  }
}
