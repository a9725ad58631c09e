import { type Duplex, pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { ArchiveLimitError, CorruptMemberError } from './errors.js';

/**
 * Passes a zip member's inflated bytes through, failing as soon as they run past the size the
 * central directory declared. Declared sizes are what the up-front ratio and budget checks trusted,
 * so a header that lies (the classic bomb trick) is caught after at most one extra chunk.
 */
export function declaredSizeGuard(location: string, declared: number, onViolation: (error: Error) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > declared) {
        const error = new CorruptMemberError(
          location,
          `member inflates past its declared size of ${declared} bytes (lying header, possible zip bomb); not inspected further`,
        );
        onViolation(error);
        callback(error);
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (seen === declared) return callback();
      const error = new CorruptMemberError(location, `member truncated: ${seen} of ${declared} declared bytes`);
      onViolation(error);
      callback(error);
    },
  });
}

export interface InflateLimits {
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** Upper bound on inflated bytes for this stream (what is left of the top-level budget). */
  maxBytes: number;
}

/**
 * Decodes `source` through `decoder` while counting both sides, so a bomb is stopped by its actual
 * ratio and the byte budget, one decoder output chunk at most past them.
 */
export function guardedDecode(
  source: Readable,
  location: string,
  limits: InflateLimits,
  onViolation: (error: Error) => void,
  decoder: Duplex,
  format: string,
): Readable {
  let compressed = 0;
  let inflated = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      compressed += chunk.length;
      callback(null, chunk);
    },
  });
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      inflated += chunk.length;
      const error = checkInflated(location, compressed, inflated, limits, format);
      if (error) {
        onViolation(error);
        callback(error);
        return;
      }
      callback(null, chunk);
    },
  });
  pipeline(source, counter, decoder, output, (error) => {
    if (error && !output.destroyed) output.destroy(error);
  });
  return output;
}

function checkInflated(location: string, compressed: number, inflated: number, limits: InflateLimits, format: string): Error | undefined {
  if (inflated > limits.maxBytes) {
    return new ArchiveLimitError('maxTotalBytes', limits.maxBytes, location, `${format} stream inflates past ${limits.maxBytes} bytes`);
  }
  if (inflated > limits.ratioCheckMinBytes && inflated > compressed * limits.maxCompressionRatio) {
    return new ArchiveLimitError('maxCompressionRatio', limits.maxCompressionRatio, location, `${inflated} bytes inflated from ${compressed} compressed bytes`);
  }
  return undefined;
}
