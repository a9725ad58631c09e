import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, type PDFRef } from 'pdf-lib';

// Hostile PDFs, built with pdf-lib's object model so each is a well-formed file but for the one lie.

/** A PDF whose first page shows one image XObject with this dictionary and stream data. */
export async function pdfWithImage(dict: Record<string, unknown>, data: Buffer): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  const ref = doc.context.register(doc.context.stream(data, { Type: 'XObject', Subtype: 'Image', ...dict } as never));
  page.node.setXObject(PDFName.of('Im1'), ref);
  page.pushOperators();
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** An image declaring `width` x `height` RGB pixels over a tiny Flate stream (a lying size: a bomb if believed). */
export const lyingImage = (width: number, height: number): Promise<Buffer> =>
  pdfWithImage({ Width: width, Height: height, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'FlateDecode' }, deflateSync(Buffer.alloc(3 * 16 * 16)));

/** A page whose content stream inflates to `bytes` bytes of spaces from a few kilobytes of Flate. */
export async function contentBomb(bytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  const ref: PDFRef = doc.context.register(doc.context.flateStream(Buffer.alloc(0)));
  page.node.set(PDFName.of('Contents'), ref);
  const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
  // The stream is swapped for the bomb after saving: pdf-lib would inflate nothing, but its writer
  // re-encodes what it is given, so the bomb's bytes are spliced in with a /Length that matches.
  const bomb = deflateSync(Buffer.alloc(bytes, 0x20));
  const at = pdf.indexOf('stream', pdf.indexOf(`${ref.objectNumber} 0 obj`));
  const head = pdf.subarray(0, pdf.lastIndexOf('<<', at)).toString('latin1');
  const tail = pdf.subarray(pdf.indexOf('endstream', at));
  return Buffer.concat([Buffer.from(`${head}<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), bomb, Buffer.from('\n'), tail]);
}

/** A PDF whose trailer names an /Encrypt dictionary (the file itself is not encrypted: only its claim). */
export async function claimsEncryption(pdf: Buffer): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf);
  doc.context.trailerInfo.Encrypt = doc.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -4, O: 'x'.repeat(32), U: 'y'.repeat(32) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A page drawing one inline image (BI ... ID data EI in its content stream) of `size` x `size` RGB pixels. */
export async function inlineImage(size: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  const data = Buffer.alloc(size * size * 3, 0x80);
  const content = Buffer.concat([Buffer.from(`q 100 0 0 100 0 0 cm\nBI /W ${size} /H ${size} /CS /RGB /BPC 8 ID `), data, Buffer.from('\nEI Q\n')]);
  page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(content)));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
