import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Expansion, expand, fileItem, jpeg, locations, makeTempDir, memoryItem } from '../sources/archives/support/harness.js';
import { buildZip } from '../sources/archives/support/zip-writer.js';
import { mbox, message } from '../sources/support/mime.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const photo = Buffer.concat([jpeg('cam1'), randomBytes(20_000)]);
const head = 'From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n';
const reasonsOf = (result: Expansion): string[] => result.coverage.map((c) => `${c.reason} ${c.location}`);

/** A message forwarding a message forwarding ... `depth` times, a photo at the bottom. */
function forwards(depth: number): Buffer {
  let inner = message('bottom', [{ type: 'image/jpeg', body: photo, filename: 'p.jpg', disposition: 'attachment' }]);
  for (let i = 0; i < depth; i++) inner = message(`fwd ${i}`, [{ type: 'message/rfc822', body: inner.toString('latin1'), encoding: '7bit' }]);
  return inner;
}

describe('hostile e-mail: no crash, no hang, bounded', () => {
  it('truncated anywhere: members as far as the bytes go, or a coverage entry, never a throw', async () => {
    const whole = message('cut', [
      { type: 'text/plain', body: 'read ABC1234\n', encoding: 'quoted-printable' },
      { type: 'image/jpeg', body: photo, filename: 'p.jpg', disposition: 'attachment' },
      { type: 'application/zip', body: randomBytes(3000), filename: 'x.zip', disposition: 'attachment' },
    ]);
    for (const fraction of [0.05, 0.3, 0.5, 0.8, 0.99]) {
      const cut = whole.subarray(0, Math.floor(whole.length * fraction));
      const result = await expand(memoryItem('cut.eml', cut));
      for (const entry of result.coverage) expect(entry.incomplete).toBe(true);
      expect(result.items.length + result.coverage.length, `cut at ${fraction}`).toBeGreaterThan(0);
    }
    // Cut inside the attachment: the part that is there is decoded, short, and inspected as such.
    const half = await expand(memoryItem('half.eml', whole.subarray(0, Math.floor(whole.length * 0.5))));
    expect(half.bytes.get('half.eml!/p.jpg')?.length ?? 0).toBeLessThan(photo.length);
  });

  it('a Content-Length that lies (mboxcl) does not move where an mbox splits', async () => {
    const one = Buffer.from(`${head}Content-Length: 5\r\n\r\nFrom the gate: read ABC1234, a long line\r\n`);
    const result = await expand(memoryItem('lies.mbox', mbox([one, one])));
    expect(locations(result)).toEqual([
      'lies.mbox!/msg-1!/subject.txt',
      'lies.mbox!/msg-1!/body.txt',
      'lies.mbox!/msg-2!/subject.txt',
      'lies.mbox!/msg-2!/body.txt',
    ]);
  });

  it('MIME nested 10,000 deep and 200,000 empty parts (maxEntries 1000): refused by the parser limits, in bounded time', async () => {
    let deep = 'x';
    for (let i = 0; i < 10_000; i++) deep = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${deep}\r\n--b${i}--\r\n`;
    const nested = await expand(memoryItem('deep.eml', Buffer.from(`${head}${deep}`)));
    expect(nested.items).toEqual([]);
    expect(nested.coverage).toMatchObject([{ location: 'deep.eml', reason: 'corrupt-archive', incomplete: true }]);
    expect(nested.coverage[0]!.detail).toMatch(/nested deeper/);
    const wide = Buffer.from(`${head}Content-Type: multipart/mixed; boundary="w"\r\n\r\n${'--w\r\n\r\n'.repeat(200_000)}--w--\r\n`);
    const result = await expand(memoryItem('wide.eml', wide), { maxEntries: 1000 });
    expect(result.items).toEqual([]);
    expect(reasonsOf(result)).toEqual(['archive-limit wide.eml']);
    expect(result.coverage[0]!.detail).toMatch(/maxEntries/);
  }, 60_000);

  it('forwards nested 30 deep stop at maxDepth, each level named', async () => {
    const result = await expand(memoryItem('chain.eml', forwards(30)));
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ reason: 'archive-limit', incomplete: true });
    expect(result.coverage[0]!.location).toBe(`chain.eml${'!/forwarded-1.eml'.repeat(5)}`);
    expect(result.coverage[0]!.detail).toMatch(/maxDepth/);
  });

  it('a gzip bomb attached in base64 is stopped by the walk ratio limit', async () => {
    const bomb = gzipSync(Buffer.alloc(300 * 1024 * 1024), { level: 9 });
    const mail = message('bomb', [{ type: 'application/gzip', body: bomb, filename: 'logs.gz', disposition: 'attachment' }]);
    const rss = process.memoryUsage().rss;
    const result = await expand(memoryItem('bomb.eml', mail));
    expect(reasonsOf(result)).toEqual(['archive-limit bomb.eml!/logs.gz']);
    expect(result.coverage[0]!.detail).toMatch(/maxCompressionRatio/);
    expect((process.memoryUsage().rss - rss) / 2 ** 20).toBeLessThan(200);
  }, 60_000);

  it('encrypted parts (S/MIME, PGP/MIME, inline PGP) are recorded as not inspected, and clear parts still read', async () => {
    const pgp = '-----BEGIN PGP MESSAGE-----\n\nhQEMA3u8S2kVb1kdAQf/Xy\n-----END PGP MESSAGE-----\n';
    const mail = message(
      'sealed',
      [
        { type: 'text/plain', body: `read ABC1234\n${pgp}` },
        { type: 'application/pkcs7-mime', body: randomBytes(500), filename: 'smime.p7m', disposition: 'attachment' },
        { type: 'application/octet-stream', body: pgp, filename: 'encrypted.asc', disposition: 'inline', encoding: '7bit' },
        { type: 'image/jpeg', body: photo, filename: 'p.jpg', disposition: 'attachment' },
      ],
      'mixed',
    );
    const result = await expand(memoryItem('sealed.eml', mail));
    expect(locations(result)).toEqual(['sealed.eml!/subject.txt', 'sealed.eml!/body.txt', 'sealed.eml!/p.jpg']);
    expect(reasonsOf(result)).toEqual(['encrypted sealed.eml!/body.txt', 'encrypted sealed.eml!/smime.p7m', 'encrypted sealed.eml!/encrypted.asc']);
    for (const entry of result.coverage) expect(entry.incomplete).toBe(true);
  });

  it('an .eml over maxMemberBufferBytes or maxBufferedArchiveBytes is reported, not read into memory', async () => {
    const mail = message('big', [{ type: 'application/octet-stream', body: randomBytes(400_000), filename: 'x.bin', disposition: 'attachment' }]);
    const { item, file } = await fileItem(dir, 'big.eml', mail);
    for (const limit of ['maxMemberBufferBytes', 'maxBufferedArchiveBytes']) {
      const result = await expand(item, { filePath: file, [limit]: 100_000 });
      expect(result.items).toEqual([]);
      expect(reasonsOf(result)).toEqual(['archive-limit big.eml']);
      expect(result.coverage[0]!.detail).toContain(limit);
    }
  });
});

describe('hostile embedded base64: bounded in count, size and depth', () => {
  it('100 data URIs: maxEntries decoded, the rest reported once', async () => {
    const uri = `data:image/jpeg;base64,${photo.toString('base64')}`;
    const page = Buffer.from(Array.from({ length: 100 }, () => `<img src="${uri}">`).join('\n'));
    const result = await expand(memoryItem('many.html', page), { maxEntries: 10 });
    expect(result.items).toHaveLength(10);
    expect(reasonsOf(result)).toEqual(['archive-limit many.html']);
  });

  it('a 40 MB run that starts like a JPEG is not held past maxMemberBufferBytes', async () => {
    const run = Buffer.concat([Buffer.from('x /9j/'), Buffer.alloc(40 * 1024 * 1024, 0x41), Buffer.from(' y')]);
    const rss = process.memoryUsage().rss;
    const result = await expand(memoryItem('huge.txt', run), { maxMemberBufferBytes: 1024 * 1024 });
    expect(result.items).toEqual([]);
    expect(reasonsOf(result)).toEqual(['archive-limit huge.txt!/base64-1']);
    expect((process.memoryUsage().rss - rss) / 2 ** 20).toBeLessThan(150);
  }, 60_000);

  it('base64 in a zip in base64 in a log ... stops at maxDepth', async () => {
    let layer: Buffer = photo;
    for (let i = 0; i < 8; i++) layer = buildZip([{ name: `l${i}.txt`, data: Buffer.from(`layer ${i}: ${layer.toString('base64')}\n`) }]);
    const result = await expand(memoryItem('layers.log', Buffer.from(`start ${layer.toString('base64')} end`)));
    expect(result.coverage.every((c) => c.reason === 'archive-limit' && /maxDepth/.test(c.detail ?? ''))).toBe(true);
    expect(result.items.length).toBeGreaterThan(2);
    expect(result.items.every((i) => i.location.split('!/').length <= 6)).toBe(true);
  });

  it('a JSON nested 100,000 deep with a run inside is read without a stack overflow', async () => {
    const depth = 100_000;
    const json = `${'['.repeat(depth)}"${photo.toString('base64')}"${']'.repeat(depth)}`;
    const result = await expand(memoryItem('deep.json', Buffer.from(json)));
    expect(locations(result)).toHaveLength(1);
    expect(result.bytes.get(locations(result)[0]!)).toEqual(photo);
  });
});
