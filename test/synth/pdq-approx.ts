import sharp from 'sharp';

/**
 * An approximation of PDQ for checking the fixtures (the real port lives in src/identify/pdq and is
 * another module's job): sharp's area-averaging resize to 64x64 stands in for the Jarosz tent
 * filter, then quality, the 16x16 DCT and median thresholding follow the reference. It agrees with
 * PDQ to within a few bits, which is plenty to show that two fixtures are, or are not, alike.
 */
export interface ApproxPdq {
  bits: Uint8Array;
  quality: number;
}

const DCT: Float64Array[] = Array.from({ length: 16 }, (_, i) =>
  Float64Array.from({ length: 64 }, (_, j) => Math.sqrt(2 / 64) * Math.cos((Math.PI / 128) * (i + 1) * (2 * j + 1))),
);

export async function approxPdq(image: Buffer): Promise<ApproxPdq> {
  const { data } = await sharp(image).removeAlpha().greyscale().resize(64, 64, { fit: 'fill', kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true });
  const a = Float64Array.from(data);
  let gradient = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const v = a[y * 64 + x]!;
      if (x < 63) gradient += Math.abs(Math.trunc(((a[y * 64 + x + 1]! - v) * 100) / 255));
      if (y < 63) gradient += Math.abs(Math.trunc(((a[(y + 1) * 64 + x]! - v) * 100) / 255));
    }
  }
  const quality = Math.min(100, Math.trunc(gradient / 90));
  const tmp = new Float64Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s += DCT[i]![k]! * a[k * 64 + j]!;
      tmp[i * 64 + j] = s;
    }
  }
  const b = new Float64Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s += tmp[i * 64 + k]! * DCT[j]![k]!;
      b[i * 16 + j] = s;
    }
  }
  const median = Float64Array.from(b).sort()[127]!;
  return { bits: Uint8Array.from(b, (v) => (v > median ? 1 : 0)), quality };
}

export function distance(a: ApproxPdq, b: ApproxPdq): number {
  let d = 0;
  for (let k = 0; k < 256; k++) d += a.bits[k]! ^ b.bits[k]!;
  return d;
}
