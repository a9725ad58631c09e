import type { CompressionCodec, Compressors } from 'hyparquet';
import { lazy } from '../../util/lazy.js';
import { ArchiveLimitError } from '../archives/errors.js';
import type { ResolvedArchiveOptions } from '../archives/options.js';

type Decode = (input: Uint8Array, output: Uint8Array) => Uint8Array;

/**
 * Parquet's page codecs, each given an output buffer of the page's declared size only after that
 * size passed the ratio check: a page header declaring gigabytes (a lying size, a bomb) is refused
 * before anything is allocated, and no decoder can write past what was declared (hyparquet then
 * checks the length it got). SNAPPY is hyparquet's own; the others come from hyparquet-compressors.
 */
const loadDecoders = lazy(async (): Promise<Partial<Record<CompressionCodec, Decode>>> => {
  const { snappyUncompress } = await import('hyparquet');
  const more = await import('hyparquet-compressors');
  return {
    SNAPPY: (input, output) => {
      snappyUncompress(input, output);
      return output;
    },
    GZIP: (input, output) => more.gunzip(input, output),
    ZSTD: (input, output) => more.decompressZstd(input, output),
    BROTLI: (input, output) => more.decompressBrotli(input, output.length),
    LZ4: (input, output) => more.decompressLz4(input, output.length),
    LZ4_RAW: (input, output) => more.decompressLz4Raw(input, output.length),
  };
});

/** The codecs custody decodes (LZO is not among them: its pages are `unsupported-compression`). */
export const PARQUET_CODECS: readonly CompressionCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD', 'BROTLI', 'LZ4', 'LZ4_RAW'];

/** Compressors for hyparquet, each held to maxCompressionRatio on the page's declared size. */
export async function guardedCompressors(location: string, options: ResolvedArchiveOptions): Promise<Compressors> {
  const decoders = await loadDecoders();
  const guarded: Compressors = {};
  for (const [codec, decode] of Object.entries(decoders) as [CompressionCodec, Decode][]) {
    guarded[codec] = (input: Uint8Array, length: number): Uint8Array => {
      if (length > options.ratioCheckMinBytes && length > input.length * options.maxCompressionRatio) {
        throw new ArchiveLimitError(
          'maxCompressionRatio',
          options.maxCompressionRatio,
          location,
          `a ${codec} page declares ${length} bytes from ${input.length}`,
        );
      }
      if (length > options.maxMemberBufferBytes) {
        throw new ArchiveLimitError('maxMemberBufferBytes', options.maxMemberBufferBytes, location, `a ${codec} page declares ${length} bytes`);
      }
      return decode(input, new Uint8Array(length));
    };
  }
  return guarded;
}
