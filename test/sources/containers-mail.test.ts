import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentName } from '../../src/sources/containers/mail-message.js';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { AGENCY_PLATES, type Agency, buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';
import { buildTarGz, expand, fileItem, jpeg, locations, makeTempDir, memoryItem } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';
import { mbox, message, quotedPrintable } from './support/mime.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const photo = Buffer.concat([jpeg('cam1'), randomBytes(5000)]);
const text = (result: Awaited<ReturnType<typeof expand>>, location: string): string => result.bytes.get(location)?.toString('utf8') ?? '';

describe('e-mail (.eml)', () => {
  it('yields the subject, decoded body and base64 attachment as members, no longer as unsupported', async () => {
    const mail = message('lane 3 reads', [
      { type: 'text/plain; charset=utf-8', body: 'Reads attached.\nlane 3 read ABC1234 at 10:00\n', encoding: 'quoted-printable' },
      { type: 'image/jpeg', body: photo, filename: 'cam1.jpg', disposition: 'attachment' },
    ]);
    expect(sniff(mail.subarray(0, 512))).toBe('message/rfc822');
    expect(unsupportedCoverage('m.eml', 'message/rfc822')).toBeUndefined();
    const { item } = await fileItem(dir, 'm.eml', mail);
    const result = await expand(item);
    expect(locations(result)).toEqual(['m.eml!/subject.txt', 'm.eml!/body.txt', 'm.eml!/cam1.jpg']);
    expect(result.bytes.get('m.eml!/cam1.jpg')).toEqual(photo);
    expect(text(result, 'm.eml!/body.txt')).toContain('lane 3 read ABC1234 at 10:00');
    expect(result.items[2]).toMatchObject({ origin: 'archive', size: photo.length, archiveChain: ['m.eml'] });
    expect(result.coverage).toEqual([]);
  });

  it('joins quoted-printable soft line breaks, so a plate split by one is whole again', async () => {
    const line = `${'x'.repeat(71)}ABC1234 seen at gate 3`;
    const encoded = quotedPrintable(line);
    expect(encoded).toContain('ABC1=\r\n234'); // the encoder split the plate, as the issue measured
    const result = await expand(memoryItem('qp.eml', message('qp', [{ type: 'text/plain', body: line, encoding: 'quoted-printable' }])));
    expect(text(result, 'qp.eml!/body.txt')).toContain('ABC1234 seen at gate 3');
  });

  it('opens a forwarded message/rfc822 as a nested message, and an inline cid image of an HTML body', async () => {
    const inner = message('fwd', [
      { type: 'text/plain', body: 'original read XYZ9876\n' },
      { type: 'image/jpeg', body: photo, filename: 'lane.jpg', disposition: 'attachment' },
    ]);
    const related = message(
      'inline',
      [
        { type: 'text/html', body: '<p>see <img src="cid:pic1"> KLM4455</p>' },
        { type: 'image/jpeg', body: photo, disposition: 'inline', contentId: 'pic1' },
        { type: 'message/rfc822', body: inner.toString('latin1'), encoding: '7bit' },
      ],
      'related',
    );
    const result = await expand(memoryItem('outer.eml', related));
    expect(locations(result)).toEqual([
      'outer.eml!/subject.txt',
      'outer.eml!/body.txt',
      'outer.eml!/body.html',
      'outer.eml!/part-1.jpg',
      'outer.eml!/forwarded-2.eml',
      'outer.eml!/forwarded-2.eml!/subject.txt',
      'outer.eml!/forwarded-2.eml!/body.txt',
      'outer.eml!/forwarded-2.eml!/lane.jpg',
    ]);
    expect(result.bytes.get('outer.eml!/part-1.jpg')).toEqual(photo);
    expect(result.bytes.get('outer.eml!/forwarded-2.eml!/lane.jpg')).toEqual(photo);
    expect(text(result, 'outer.eml!/body.txt')).toContain('KLM4455'); // HTML-only: text derived from it
    expect(result.coverage).toEqual([]);
  });

  it('opens containers attached to a message (a zip, a .tar.gz) with the same walk and limits', async () => {
    const zip = buildZip([{ name: 'p.jpg', data: photo }]);
    const tgz = await buildTarGz([{ name: 'exports/q.jpg', data: photo }]);
    const mail = message('exports', [
      { type: 'application/zip', body: zip, filename: 'export.zip', disposition: 'attachment' },
      { type: 'application/gzip', body: tgz, filename: 'export.tar.gz', disposition: 'attachment' },
    ]);
    const result = await expand(memoryItem('m.eml', mail));
    expect(locations(result)).toEqual([
      'm.eml!/subject.txt',
      'm.eml!/export.zip',
      'm.eml!/export.zip!/p.jpg',
      'm.eml!/export.tar.gz',
      'm.eml!/export.tar.gz!/exports/q.jpg',
    ]);
    const shallow = await expand(memoryItem('m.eml', mail), { maxDepth: 1 });
    expect(shallow.coverage.map((c) => `${c.reason} ${c.location}`)).toEqual(['archive-limit m.eml!/export.zip', 'archive-limit m.eml!/export.tar.gz']);
  });

  it('names attachments safely: one path segment, no control or bidi characters, duplicates numbered', async () => {
    const named = (filename: string | null, mimeType = 'image/jpeg') =>
      attachmentName({ filename, mimeType, disposition: 'attachment', content: new ArrayBuffer(0) }, 4);
    expect(named('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(named('photo\u202egpj.exe')).toBe('photogpj.exe');
    expect(named('..')).toBe('part-4.jpg');
    expect(named(null, 'message/rfc822')).toBe('forwarded-4.eml');
    const mail = message('dupes', [
      { type: 'image/jpeg', body: photo, filename: 'a.jpg', disposition: 'attachment' },
      { type: 'image/jpeg', body: photo, filename: 'a.jpg', disposition: 'attachment' },
    ]);
    expect(locations(await expand(memoryItem('d.eml', mail)))).toEqual(['d.eml!/subject.txt', 'd.eml!/a.jpg', 'd.eml!/a-2.jpg']);
  });
});

describe('mbox', () => {
  const first = message('one', [
    { type: 'text/plain', body: 'From the gate: ABC1234\n>From quoted\n' },
    { type: 'image/jpeg', body: photo, filename: 'cam1.jpg', disposition: 'attachment' },
  ]);
  const second = message('two', [{ type: 'text/plain', body: 'nothing here\n' }]);

  it('splits on From_ lines, unquotes >From, and opens each message as msg-N', async () => {
    const box = mbox([first, second]);
    expect(sniff(box.subarray(0, 512))).toBe('application/mbox');
    const { item } = await fileItem(dir, 'inbox.mbox', box);
    const result = await expand(item);
    expect(locations(result)).toEqual([
      'inbox.mbox!/msg-1!/subject.txt',
      'inbox.mbox!/msg-1!/body.txt',
      'inbox.mbox!/msg-1!/cam1.jpg',
      'inbox.mbox!/msg-2!/subject.txt',
      'inbox.mbox!/msg-2!/body.txt',
    ]);
    // The body's own "From the gate" line did not split the mailbox, and its quoting is undone.
    expect(text(result, 'inbox.mbox!/msg-1!/body.txt')).toBe('From the gate: ABC1234\n>From quoted\n');
    expect(result.bytes.get('inbox.mbox!/msg-1!/cam1.jpg')).toEqual(photo);
    expect(result.items[2]!.archiveChain).toEqual(['inbox.mbox', 'inbox.mbox!/msg-1']);
    expect(result.coverage).toEqual([]);
  });

  it('splits the same across any chunking of the stream', async () => {
    const box = mbox([first, second, first]);
    const whole = locations(await expand(memoryItem('a.mbox', box)));
    for (const size of [1, 7, 64, 1000]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < box.length; at += size) chunks.push(box.subarray(at, at + size));
      const item = memoryItem('a.mbox', box);
      const cut = { ...item, content: { ...item.content!, stream: () => Readable.from(chunks, { objectMode: false }) } };
      expect(locations(await expand(cut)), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('reports a message over maxMemberBufferBytes and messages past maxEntries, opening the rest', async () => {
    const big = message('big', [{ type: 'application/octet-stream', body: randomBytes(300_000), filename: 'x.bin', disposition: 'attachment' }]);
    const result = await expand(memoryItem('b.mbox', mbox([first, big, second])), { maxMemberBufferBytes: 200_000 });
    expect(result.coverage).toMatchObject([{ location: 'b.mbox!/msg-2', reason: 'archive-limit', incomplete: true }]);
    expect(locations(result)).toContain('b.mbox!/msg-3!/body.txt');
    const few = await expand(memoryItem('c.mbox', mbox([second, second, second])), { maxEntries: 2 });
    expect(few.coverage).toMatchObject([{ location: 'c.mbox', reason: 'archive-limit' }]);
    expect(few.coverage[0]!.detail).toMatch(/maxEntries/);
  });
});

describe('auditing e-mail (spawned CLI, real agency images and plates)', () => {
  let base: string;
  let agency: Agency;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'custody-mail-'));
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => removeTree(base));

  it('finds the agency image and plates in an .eml and an mbox, by outer!/inner, and nothing in a clean message', async () => {
    const [img0, img1, img2] = agency.images as [Buffer, Buffer, Buffer];
    // The quoted-printable body puts a soft line break inside a plate, as the issue measured.
    const reads = `${'-'.repeat(68)} read ${AGENCY_PLATES[0]} at lane 1, then ${AGENCY_PLATES[1]} at lane 2\n`;
    const eml = message('reads', [
      { type: 'text/plain; charset=utf-8', body: reads, encoding: 'quoted-printable' },
      { type: 'image/jpeg', body: img0, filename: 'cam.jpg', disposition: 'attachment' },
    ]);
    const forwarded = message('fwd', [{ type: 'image/jpeg', body: img1, filename: 'lane.jpg', disposition: 'attachment' }]);
    const box = mbox([
      message('hello', [{ type: 'text/plain', body: 'nothing to see\n' }]),
      message('export', [
        { type: 'text/html', body: `<table><tr><td>${AGENCY_PLATES[2]}</td></tr></table><img src="cid:i1">` },
        { type: 'image/jpeg', body: img2, disposition: 'inline', contentId: 'i1' },
        { type: 'message/rfc822', body: forwarded.toString('latin1'), encoding: '7bit' },
        { type: 'text/csv', body: agency.plateCsv, filename: 'reads.csv', disposition: 'attachment', encoding: 'base64' },
      ]),
    ]);
    const clean = message('clean', [
      { type: 'text/plain', body: 'read QQQ1111 at lane 9\n', encoding: 'quoted-printable' },
      { type: 'image/jpeg', body: await encode(rawPicture(rng(99), 160, 120), 160, 120, 'jpeg'), filename: 'other.jpg', disposition: 'attachment' },
    ]);
    const { exitCode, report, stderr } = await auditFiles(base, agency, { 'mail/reads.eml': eml, 'mail/inbox.mbox': box, 'mail/clean.eml': clean });
    expect(exitCode, stderr).toBe(1);
    const found = report.assets.map((a) => `${a.method} ${a.location.replace(/^.*?mail\//, '')}`).sort();
    expect(found).toEqual(
      [
        'exact inbox.mbox!/msg-2!/forwarded-2.eml!/lane.jpg',
        'exact inbox.mbox!/msg-2!/part-1.jpg',
        'exact reads.eml!/cam.jpg',
        'record inbox.mbox!/msg-2!/body.html',
        'record inbox.mbox!/msg-2!/body.txt',
        // The agency's own export, attached: an exact copy of a fingerprinted file.
        'exact inbox.mbox!/msg-2!/reads.csv',
        'record reads.eml!/body.txt',
      ].sort(),
    );
    const body = report.assets.find((a) => a.location.endsWith('reads.eml!/body.txt'));
    expect(body?.evidence.records).toBe(2);
    expect(report.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(JSON.stringify(report)).not.toContain('clean.eml');
  }, 120_000);
});
