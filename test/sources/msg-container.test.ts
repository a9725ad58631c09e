import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLE2_NOT_READ } from '../../src/sources/containers/msg.js';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { AGENCY_PLATES, type Agency, buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';
import { expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';
import { wordDocument } from './support/msg-samples.js';
import { buildMsg } from './support/msg-writer.js';

const FIXTURES = path.resolve('fixtures/msg');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('Outlook .msg', () => {
  it('opens a real Outlook message: subject, body and every attachment as members, byte for byte', async () => {
    const bytes = await readFile(path.join(FIXTURES, 'attachmentFiles.msg'));
    expect(sniff(bytes.subarray(0, 512))).toBe('application/x-ole-storage');
    expect(unsupportedCoverage('x.msg', sniff(bytes.subarray(0, 512)))).toBeUndefined();
    const { item, file } = await fileItem(dir, 'mail.msg', bytes);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['mail.msg!/subject.txt', 'mail.msg!/body.txt', 'mail.msg!/jpg.jpg', 'mail.msg!/png.png', 'mail.msg!/tif.tif']);
    expect(result.bytes.get('mail.msg!/jpg.jpg')!.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(result.bytes.get('mail.msg!/jpg.jpg')).toHaveLength(726);
    expect(result.bytes.get('mail.msg!/subject.txt')!.toString()).toBe('attachmentFiles');
    expect(result.coverage).toEqual([]);
  });

  it('opens an embedded message as a nested member (a real one, and a written one three deep)', async () => {
    const real = await expand(memoryItem('in.msg', await readFile(path.join(FIXTURES, 'msgInMsg.msg'))));
    const inner = 'in.msg!/Microsoft Outlook テスト メッセージ.msg';
    expect(locations(real)).toContain(inner);
    expect(locations(real)).toContain('in.msg!/green.png');
    expect(locations(real).filter((l) => l.startsWith(`${inner}!/`)).length).toBeGreaterThan(0);
    expect(real.coverage).toEqual([]);
    const deep = buildMsg({
      subject: 'outer',
      attachments: [
        {
          name: 'Fwd one',
          message: { subject: 'one', attachments: [{ name: 'Fwd two', message: { body: 'bottom', attachments: [{ name: 'p.jpg', data: jpeg('p') }] } }] },
        },
      ],
    });
    const nested = await expand(memoryItem('d.msg', deep));
    expect(locations(nested)).toContain('d.msg!/Fwd one.msg!/Fwd two.msg!/p.jpg');
    expect(nested.bytes.get('d.msg!/Fwd one.msg!/Fwd two.msg!/p.jpg')).toEqual(jpeg('p'));
  });

  it('reads the plain and HTML bodies; the HTML text stands in for a missing plain body', async () => {
    const both = await expand(memoryItem('b.msg', buildMsg({ subject: 's', body: 'read ABC1234', html: '<p>read <b>XYZ9876</b></p>' })));
    expect(locations(both)).toEqual(['b.msg!/subject.txt', 'b.msg!/body.txt', 'b.msg!/body.html']);
    expect(both.bytes.get('b.msg!/body.txt')!.toString()).toBe('read ABC1234');
    const htmlOnly = await expand(memoryItem('h.msg', buildMsg({ html: '<p>read <b>XYZ9876</b></p>' })));
    expect(htmlOnly.bytes.get('h.msg!/body.txt')!.toString()).toMatch(/read\s+XYZ9876/);
  });

  it('tells a message from other compound documents by its streams, not by its name', async () => {
    const doc = await expand(memoryItem('minutes.msg', wordDocument()));
    expect(doc.items).toEqual([]);
    expect(doc.coverage).toEqual([{ location: 'minutes.msg', reason: 'unsupported-document', detail: OLE2_NOT_READ, incomplete: true }]);
    const named = await expand(memoryItem('report.doc', buildMsg({ attachments: [{ name: 'cam.jpg', data: jpeg('c') }] })));
    expect(locations(named)).toEqual(['report.doc!/cam.jpg']);
  });

  it('a message inside a zip is opened at its member location; one over maxMemberBufferBytes is a limit entry', async () => {
    const msg = buildMsg({ attachments: [{ name: 'cam.jpg', data: jpeg('c') }] });
    const zipped = await expand(memoryItem('x.zip', buildZip([{ name: 'mail/a.msg', data: msg }])));
    expect(locations(zipped)).toEqual(['x.zip!/mail/a.msg', 'x.zip!/mail/a.msg!/cam.jpg']);
    const { item, file } = await fileItem(dir, 'big.msg', msg);
    const refused = await expand(item, { filePath: file, maxMemberBufferBytes: 1000 });
    expect(reasons(refused)).toEqual(['archive-limit big.msg']);
    expect(refused.coverage[0]!.detail).toMatch(/^maxMemberBufferBytes \(1000\) exceeded: ole2 of \d+ bytes not opened/);
  });
});

describe('audit of Outlook messages', () => {
  let base: string;
  let agency: Agency;
  beforeAll(async () => {
    base = path.join(dir, 'audit');
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => removeTree(base));

  it('finds the agency image and plates in a .msg (attachment, body, embedded message) by outer!/inner, and nothing in a clean one', async () => {
    const [img0, img1] = agency.images as [Buffer, Buffer];
    const msg = buildMsg({
      subject: 'lane export',
      body: `reads: ${AGENCY_PLATES[0]} at lane 1, ${AGENCY_PLATES[1]} at lane 2\n`,
      attachments: [
        { name: 'cam.jpg', data: img0 },
        { name: 'Fwd: camera', message: { subject: 'camera', attachments: [{ name: 'lane.jpg', data: img1 }] } },
      ],
    });
    const other = await encode(rawPicture(rng(99), 160, 120), 160, 120, 'jpeg');
    const clean = buildMsg({ subject: 'lunch', body: 'read QQQ1111 at lane 9\n', attachments: [{ name: 'other.jpg', data: other }] });
    const { exitCode, report, stderr } = await auditFiles(base, agency, {
      'mail/export.msg': msg,
      'mail/clean.msg': clean,
      'docs/minutes.doc': wordDocument(),
    });
    expect(exitCode, stderr).toBe(1); // violations come before an incomplete audit
    const found = report.assets.map((a) => `${a.method} ${a.location.replace(/^.*?mail\//, '')}`).sort();
    expect(found).toEqual(['exact export.msg!/Fwd: camera.msg!/lane.jpg', 'exact export.msg!/cam.jpg', 'record export.msg!/body.txt'].sort());
    expect(report.assets.find((a) => a.location.endsWith('export.msg!/body.txt'))?.evidence.records).toBe(2);
    // The legacy Word file is still recorded as not inspected (what makes the audit incomplete).
    expect(report.coverage.filter((c) => c.incomplete).map((c) => `${c.reason} ${c.location.replace(/^.*?docs\//, '')}`)).toEqual([
      'unsupported-document minutes.doc',
    ]);
    expect(JSON.stringify(report.assets)).not.toContain('clean.msg');
  }, 120_000);
});
