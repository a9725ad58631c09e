import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TailKeepingContent } from '../../src/sources/archives/appended.js';
import { RunScanner } from '../../src/sources/containers/base64-runs.js';
import { AGENCY_PLATES, type Agency, buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';
import { message } from './support/mime.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const photo = Buffer.concat([jpeg('cam1'), randomBytes(3000)]);
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(2000)]);
const b64 = (bytes: Buffer): string => bytes.toString('base64');
const wrapped = (bytes: Buffer): string => b64(bytes).replace(/(.{76})/g, '$1\n');

describe('base64 embedded in text', () => {
  it('yields data URIs in HTML as data-uri-N members, and the page stays an item of its own', async () => {
    const html = `<html><body><img src="data:image/jpeg;base64,${b64(photo)}"><p>x</p><img src='data:image/png;base64,${b64(png)}'></body></html>`;
    const { item } = await fileItem(dir, 'page.html', Buffer.from(html));
    const result = await expand(item);
    expect(locations(result)).toEqual(['page.html!/data-uri-1', 'page.html!/data-uri-2']);
    expect(result.bytes.get('page.html!/data-uri-1')).toEqual(photo);
    expect(result.bytes.get('page.html!/data-uri-2')).toEqual(png);
    expect(result.items[0]).toMatchObject({ origin: 'archive', size: photo.length, archiveChain: ['page.html'] });
    expect(result.coverage).toEqual([]);
  });

  it('names JSON strings by path (slashes escaped as PHP writes them), and JSON Lines by line and path', async () => {
    const json = JSON.stringify({ site: 'A', captures: [{ plate: 'none' }, { image: b64(photo) }, { image: `data:image/png;base64,${b64(png)}` }] }).replaceAll(
      '/',
      '\\/',
    );
    const result = await expand(memoryItem('export.json', Buffer.from(json)));
    expect(locations(result)).toEqual(['export.json!/$.captures[1].image', 'export.json!/$.captures[2].image']);
    expect(result.bytes.get('export.json!/$.captures[1].image')).toEqual(photo);
    const lines = [{ id: 1 }, { id: 2, 'the image': b64(png) }, { id: 3, frames: [b64(photo)] }].map((o) => JSON.stringify(o)).join('\n');
    const jsonl = await expand(memoryItem('reads.jsonl', Buffer.from(`${lines}\n`)));
    expect(locations(jsonl)).toEqual(['reads.jsonl!/line-2:$["the image"]', 'reads.jsonl!/line-3:$.frames[0]']);
    expect(jsonl.bytes.get('reads.jsonl!/line-3:$.frames[0]')).toEqual(photo);
  });

  it('decodes line-wrapped base64 in a log, and opens an embedded archive with its members', async () => {
    const zip = buildZip([{ name: 'p.jpg', data: photo }]);
    const tgz = gzipSync(await buildTar([{ name: 'q.jpg', data: photo }]));
    const log = `2026-11-02 upload payload:\n${wrapped(zip)}\n2026-11-02 backup ${b64(tgz)} done\n`;
    const result = await expand(memoryItem('upload.log', Buffer.from(log)));
    expect(locations(result)).toEqual(['upload.log!/base64-1', 'upload.log!/base64-1!/p.jpg', 'upload.log!/base64-2', 'upload.log!/base64-2!/q.jpg']);
    expect(result.bytes.get('upload.log!/base64-1!/p.jpg')).toEqual(photo);
  });

  it('leaves alone base64 that is not a file, short runs, and text that only starts like one', async () => {
    const text = [
      `key ${b64(randomBytes(600))}`, // long, but no file magic
      `thumb data:image/jpeg;base64,${b64(jpeg('tiny'))}`, // a file, but under the minimum run
      `/9j/${'A'.repeat(400)}`, // starts like a JPEG, decodes to zeros after its magic: sniffed as JPEG
      `Qlpo${'x'.repeat(300)}`, // starts like bzip2 ("BZh"), but no block size and magic follow: sniff says so
      '"iVBORw0KGgo" is how a PNG starts',
    ].join('\n');
    const result = await expand(memoryItem('notes.txt', Buffer.from(text)));
    // Only the run that really decodes to a file's magic is a member: "/9j/AAAA..." is FF D8 FF 00...
    expect(locations(result)).toEqual(['notes.txt!/base64-1']);
  });

  it('finds the same runs however the text is cut into chunks', async () => {
    const text = `a ${b64(photo)} b data:image/png;base64,${b64(png)}\n${wrapped(photo)}\nend`;
    const whole = new RunScanner(1e9).push(text, true).map((r) => [r.dataUri, r.length]);
    expect(whole).toHaveLength(3);
    for (const size of [1, 5, 23, 64, 1000]) {
      const scanner = new RunScanner(1e9);
      const runs = [];
      for (let at = 0; at < text.length; at += size) runs.push(...scanner.push(text.slice(at, at + size)));
      runs.push(...scanner.push('', true));
      expect(
        runs.map((r) => [r.dataUri, r.length]),
        `chunks of ${size}`,
      ).toEqual(whole);
    }
    // Long text between runs: chunks without a long enough stretch are passed over by a byte loop.
    const filler = 'gate 3 read QQQ1111 at 10:00, conf 0.93\n'.repeat(400);
    const spaced = Buffer.from(`${filler}${text}${filler}a ${b64(png)}${filler}`);
    const expected = new RunScanner(1e9).push(spaced.toString('latin1'), true).map((r) => [r.dataUri, r.length]);
    expect(expected).toHaveLength(4);
    for (const size of [1000, 4096, 16_384, 65_536]) {
      const scanner = new RunScanner(1e9);
      const runs = [];
      for (let at = 0; at < spaced.length; at += size) runs.push(...scanner.pushBytes(spaced.subarray(at, at + size)));
      runs.push(...scanner.pushBytes(Buffer.alloc(0), true));
      expect(
        runs.map((r) => [r.dataUri, r.length]),
        `byte chunks of ${size}`,
      ).toEqual(expected);
    }
    const stream = { ...memoryItem('s.txt', Buffer.from(text)) };
    stream.content = {
      ...stream.content!,
      stream: () =>
        Readable.from(
          [...Buffer.from(text)].map((b) => Buffer.from([b])),
          { objectMode: false },
        ),
    };
    expect(locations(await expand(stream))).toEqual(['s.txt!/base64-1', 's.txt!/data-uri-1', 's.txt!/base64-2']);
  });

  it('a file whose detector read saw no long stretch is not read again to look (and one that did is)', async () => {
    const plain = Buffer.from('gate 3 read QQQ1111 at 10:00\n'.repeat(5000));
    const withRun = Buffer.concat([plain, Buffer.from(`x ${b64(photo)} y\n`), plain]);
    for (const [bytes, expected] of [
      [plain, false],
      [withRun, true],
    ] as const) {
      const { item } = await fileItem(dir, 'watched.log', bytes);
      const kept = new TailKeepingContent(item.content!, item.size);
      for await (const _ of kept.stream()) {
        // the detectors' read
      }
      expect(kept.mayEmbed).toBe(expected);
      const result = await expand({ ...item, content: kept });
      expect(locations(result)).toEqual(expected ? ['watched.log!/base64-1'] : []);
    }
  });

  it('bounds count and size: maxEntries files per text, runs over maxMemberBufferBytes reported, not decoded', async () => {
    const many = Array.from({ length: 5 }, () => b64(photo)).join('\n\n');
    const few = await expand(memoryItem('many.txt', Buffer.from(many)), { maxEntries: 3 });
    expect(locations(few)).toHaveLength(3);
    expect(few.coverage).toMatchObject([{ location: 'many.txt', reason: 'archive-limit', incomplete: true }]);
    const big = await expand(memoryItem('big.txt', Buffer.from(`x ${b64(Buffer.concat([photo, randomBytes(300_000)]))} y`)), { maxMemberBufferBytes: 100_000 });
    expect(locations(big)).toEqual([]);
    expect(big.coverage).toMatchObject([{ location: 'big.txt!/base64-1', reason: 'archive-limit', incomplete: true }]);
  });

  it('reads data URIs in the HTML body of an e-mail', async () => {
    const mail = message('html', [{ type: 'text/html', body: `<p>cam</p><img src="data:image/jpeg;base64,${b64(photo)}">`, encoding: 'quoted-printable' }]);
    const result = await expand(memoryItem('m.eml', mail));
    expect(locations(result)).toContain('m.eml!/body.html!/data-uri-1');
    expect(result.bytes.get('m.eml!/body.html!/data-uri-1')).toEqual(photo);
  });
});

describe('auditing embedded base64 (spawned CLI, real agency images and plates)', () => {
  let base: string;
  let agency: Agency;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'custody-base64-'));
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => removeTree(base));

  it('finds agency images in HTML data URIs, JSON and JSON Lines, plates in the same text, and no claim on a stranger', async () => {
    const [img0, img1, img2] = agency.images as [Buffer, Buffer, Buffer];
    const stranger = await encode(rawPicture(rng(99), 160, 120), 160, 120, 'jpeg');
    const html = `<html><body><h1>Lane 1</h1><img src="data:image/jpeg;base64,${b64(img0)}"><p>plate ${AGENCY_PLATES[0]}</p></body></html>`;
    const json = JSON.stringify({ captures: [{ plate: AGENCY_PLATES[1], image: b64(img1) }] }, null, 2);
    const jsonl = `${[{ id: 0 }, { id: 1, plate: AGENCY_PLATES[2], jpeg: `data:image/jpeg;base64,${b64(img2)}` }].map((o) => JSON.stringify(o)).join('\n')}\n`;
    const negative = `<html><img src="data:image/jpeg;base64,${b64(stranger)}"><p>plate QQQ1111</p></html>`;
    const { exitCode, report, stderr } = await auditFiles(base, agency, {
      'web/page.html': Buffer.from(html),
      'api/captures.json': Buffer.from(json),
      'api/reads.jsonl': Buffer.from(jsonl),
      'web/other.html': Buffer.from(negative),
    });
    expect(exitCode, stderr).toBe(1);
    const found = report.assets.map((a) => `${a.method} ${a.location.replace(/^.*?share-[^/]+\//, '')}`).sort();
    expect(found).toEqual(
      [
        'exact web/page.html!/data-uri-1',
        'record web/page.html',
        'exact api/captures.json!/$.captures[0].image',
        'record api/captures.json',
        'exact api/reads.jsonl!/line-2:$.jpeg',
        'record api/reads.jsonl',
      ].sort(),
    );
    expect(report.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(JSON.stringify(report.assets)).not.toContain('other.html');
  }, 120_000);
});
