import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTar, expand, locations, memoryItem, reasons } from '../sources/archives/support/harness.js';
import { buildZip } from '../sources/archives/support/zip-writer.js';
import { rng } from '../support/fuzz.js';
import { encode, rawPicture } from './support/images.js';
import { buildPdf, hasGhostscript, pdfwrite } from './support/pdf.js';
import { claimsEncryption, contentBomb, inlineImage, lyingImage, pdfWithImage } from './support/pdf-surgery.js';

/** Issue #18: hostile PDFs (truncated, lying sizes, bombs, deep nesting, encrypted): no crash, no hang, bounded memory. */

let photo: Buffer;
let plain: Buffer;
beforeAll(async () => {
  photo = await encode(rawPicture(rng(5), 160, 120), 160, 120, 'jpeg');
  plain = await buildPdf({ jpegs: [photo], pages: [['Lane 3 read ABC1234'], ['second page XYZ9876']] });
});

/** Ghostscript's encryption: a user password (nothing opens without it), or an owner password only. */
const encrypt = (pdf: Buffer, user: string): Buffer => pdfwrite(pdf, ['-sOwnerPassword=owner', `-sUserPassword=${user}`, '-dEncryptionR=3', '-dKeyLength=128']);

describe('hostile PDFs', () => {
  it('truncated anywhere: each cut gives what it still holds, or says why not; never throws', async () => {
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const cut = plain.subarray(0, Math.floor(plain.length * fraction));
      const result = await expand(memoryItem('cut.pdf', cut));
      for (const entry of result.coverage) expect(['corrupt-archive', 'archive-limit']).toContain(entry.reason);
      // pdf-lib reads objects in file order: the JPEG (early in the file) survives most cuts whole.
      const image = result.bytes.get('cut.pdf!/page-1/image-1.jpg');
      if (image) expect(image).toEqual(photo);
      expect(result.items.length + result.coverage.length).toBeGreaterThan(0);
    }
  });

  it('an image lying about its size is refused by its declared ratio before anything is inflated', async () => {
    const result = await expand(memoryItem('lying.pdf', await lyingImage(20_000, 20_000)));
    expect(reasons(result)).toEqual(['archive-limit lying.pdf!/page-1/image-1']);
    expect(result.coverage[0]!.detail).toMatch(/^maxMemberBufferBytes \(67108864\) exceeded: a 20000x20000 image/);
    const ratio = await expand(memoryItem('lying.pdf', await lyingImage(1000, 1000)));
    expect(ratio.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: a 1000x1000 image declares 3000000 bytes/);
  });

  it('a Flate bomb in a content stream is refused before pdf-lib or pdf.js inflate it (bounded memory)', async () => {
    const bomb = await contentBomb(512 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1_000_000);
    const before = process.memoryUsage().rss;
    const result = await expand(memoryItem('bomb.pdf', bomb));
    const grown = process.memoryUsage().rss - before;
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['archive-limit bomb.pdf']);
    expect(result.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: the stream at byte \d+ inflates past \d+ bytes/);
    expect(grown).toBeLessThan(400 * 1024 * 1024);
    // With the ratio check off, the byte budget stops it.
    const budget = await expand(memoryItem('bomb.pdf', bomb), { maxCompressionRatio: Number.POSITIVE_INFINITY, maxTotalBytes: 64 * 1024 * 1024 });
    expect(budget.coverage[0]!.detail).toMatch(/^maxTotalBytes \(67108864\) exceeded/);
  });

  it('nested: a PDF in a zip in a tar is opened to its images, and the depth limit holds', async () => {
    const tar = await buildTar([{ name: 'in.zip', data: buildZip([{ name: 'docs/r.pdf', data: plain }]) }]);
    const result = await expand(memoryItem('out.tar', tar));
    expect(result.bytes.get('out.tar!/in.zip!/docs/r.pdf!/page-1/image-1.jpg')).toEqual(photo);
    const shallow = await expand(memoryItem('out.tar', tar), { maxDepth: 2 });
    expect(reasons(shallow)).toEqual(['archive-limit out.tar!/in.zip!/docs/r.pdf']);
  });

  it('an image stream that is itself a zip holding a PDF is opened as a nested container', async () => {
    const inner = buildZip([{ name: 'r.pdf', data: plain }]);
    const pdf = await pdfWithImage({ Width: 1, Height: 1, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'DCTDecode' }, inner);
    const result = await expand(memoryItem('carrier.pdf', pdf));
    expect(result.bytes.get('carrier.pdf!/page-1/image-1.jpg!/r.pdf!/page-1/image-1.jpg')).toEqual(photo);
  });

  it('a page tree nested 50,000 deep and a cyclic one do not overflow the stack or loop', async () => {
    const deep = Buffer.from(
      `%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >> endobj\n3 0 obj ${'['.repeat(50_000)}${']'.repeat(50_000)} endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    );
    const result = await expand(memoryItem('deep.pdf', deep));
    for (const entry of result.coverage) expect(['corrupt-archive']).toContain(entry.reason);
  });

  it('images it cannot decode are recorded, not passed: CCITT fax, Lab colour', async () => {
    const fax = await expand(
      memoryItem(
        'fax.pdf',
        await pdfWithImage({ Width: 8, Height: 8, ColorSpace: 'DeviceGray', BitsPerComponent: 1, Filter: 'CCITTFaxDecode' }, Buffer.alloc(8)),
      ),
    );
    expect(fax.coverage).toEqual([
      { location: 'fax.pdf!/page-1/image-1', reason: 'unsupported-compression', detail: 'pdf: image filter CCITTFaxDecode is not decoded', incomplete: true },
    ]);
    const lab = await expand(
      memoryItem('lab.pdf', await pdfWithImage({ Width: 4, Height: 4, ColorSpace: ['Lab', {}], BitsPerComponent: 8 }, Buffer.alloc(48))),
    );
    expect(reasons(lab)).toEqual(['unsupported-image lab.pdf!/page-1/image-1']);
  });

  it('an inline image of a useful size is recorded as not decoded; an icon-sized one is not', async () => {
    const big = await expand(memoryItem('inline.pdf', await inlineImage(100)));
    expect(big.coverage).toEqual([
      { location: 'inline.pdf', reason: 'unsupported-image', detail: 'pdf: 1 inline images in page content are not decoded', incomplete: true },
    ]);
    const icon = await expand(memoryItem('icon.pdf', await inlineImage(16)));
    expect(icon.coverage).toEqual([]);
  });

  it('a document claiming encryption: its images are recorded as not inspected', async () => {
    const result = await expand(memoryItem('claims.pdf', await claimsEncryption(plain)));
    expect(result.items.filter((i) => i.location.endsWith('.jpg'))).toEqual([]);
    expect(result.coverage[0]).toMatchObject({ location: 'claims.pdf', reason: 'encrypted', incomplete: true });
  });

  it.runIf(hasGhostscript)(
    'encrypted with a user password: nothing inspected, recorded; with an owner password only: images and text read through pdf.js',
    async () => {
      const locked = await expand(memoryItem('locked.pdf', encrypt(plain, 'secret')));
      expect(locked.items).toEqual([]);
      expect(locked.coverage).toEqual([
        {
          location: 'locked.pdf',
          reason: 'encrypted',
          detail: 'pdf: encrypted with a user password: its pages, images and text are not inspected',
          incomplete: true,
        },
      ]);
      // Most encrypted PDFs only restrict printing or copying: the empty user password opens them.
      const owner = await expand(memoryItem('owner.pdf', encrypt(plain, '')));
      expect(owner.coverage).toEqual([]);
      expect(locations(owner)).toEqual(['owner.pdf!/page-1/image-1.png', 'owner.pdf!/text']);
      const painted = await sharp(owner.bytes.get('owner.pdf!/page-1/image-1.png')!).raw().toBuffer();
      const original = await sharp(photo).raw().toBuffer();
      expect(painted.length).toBe(original.length);
      let difference = 0;
      for (let i = 0; i < painted.length; i++) difference += Math.abs(painted[i]! - original[i]!);
      expect(difference / painted.length).toBeLessThan(4); // pdf.js's own JPEG decoder, not libjpeg's
      expect(owner.bytes.get('owner.pdf!/text')?.toString()).toContain('ABC1234');
    },
  );

  it('damaged bytes never throw or hang: each gives members or coverage', async () => {
    const r = rng(11);
    for (let i = 0; i < 40; i++) {
      const damaged = Buffer.from(plain);
      for (let k = 0; k < 1 + (i % 5); k++) damaged[16 + r.int(damaged.length - 16)] = r.int(256);
      const result = await expand(memoryItem('d.pdf', damaged));
      for (const entry of result.coverage)
        expect(['corrupt-archive', 'archive-limit', 'unsupported-compression', 'unsupported-image', 'encrypted']).toContain(entry.reason);
    }
  });
});
