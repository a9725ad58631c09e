import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONTAINER_FORMATS } from '../../../src/sources/containers/registry.js';
import { buildParquet, buildSqlite } from '../../hostile/support/data-files.js';
import { claimsEncryption, pdfWithImage } from '../../hostile/support/pdf-surgery.js';
import { buildTar, expand, jpeg, memoryItem, type TarEntrySpec } from '../archives/support/harness.js';
import { buildZip } from '../archives/support/zip-writer.js';
import { wordDocument } from '../support/msg-samples.js';
import { buildMsg } from '../support/msg-writer.js';
import { VIDEO_HEADS } from '../support/video-heads.js';

const has = (tool: string): boolean => {
  try {
    execFileSync(tool, ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
/** The formats whose samples are made by a reference tool, and that tool (its absence skips the test). */
const TOOLS: Record<string, string> = {
  bzip2: 'bzip2',
  xz: 'xz',
  zstd: 'zstd',
  '7z': '7zz',
  ...Object.fromEntries(Object.keys(VIDEO_HEADS).map((id) => [id, 'ffmpeg'])),
};
const fixture = (name: string): Promise<Buffer> => readFile(fileURLToPath(new URL(`../../../fixtures/archives/${name}`, import.meta.url)));

/** 7z archives made by 7zz from files written to a fresh folder (symlinks kept with -snl). */
async function sevenZips(): Promise<Buffer[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'custody-7z-reasons-'));
  try {
    await writeFile(path.join(root, 'a.jpg'), Buffer.concat([jpeg('a'), Buffer.alloc(5000, 3)]));
    await symlink('a.jpg', path.join(root, 'link'));
    const pack = (name: string, ...switches: string[]) => {
      execFileSync('7zz', ['a', '-bd', ...switches, name, 'a.jpg', 'link'], { cwd: root, stdio: 'ignore' });
      return readFile(path.join(root, name));
    };
    return [await pack('l.7z', '-snl'), await pack('e.7z', '-pSECRET'), cut(await pack('c.7z'))];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Sets a zip's compression method (local and central headers) to one custody does not decode. */
function withMethod(zip: Buffer, method: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf('PK\x03\x04'); at >= 0; at = out.indexOf('PK\x03\x04', at + 4)) out.writeUInt16LE(method, at + 8);
  for (let at = out.indexOf('PK\x01\x02'); at >= 0; at = out.indexOf('PK\x01\x02', at + 4)) out.writeUInt16LE(method, at + 10);
  return out;
}

/** A tar with the members a one-pass tar reader notes rather than reads: a link and a FIFO. */
const oddTar = () =>
  buildTar([
    { name: 'a.jpg', data: jpeg('a') },
    { name: 'link', type: 'symlink', linkname: 'a.jpg' },
    { name: 'pipe', type: 'fifo' } as unknown as TarEntrySpec,
  ]);
const cut = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(bytes.length * 0.6));

/** Hostile samples of each format, meant to make its reader emit every reason it declares. */
const HOSTILE: Record<string, () => Promise<Buffer[]>> = {
  zip: async () => [
    buildZip([
      { name: 'secret.jpg', data: jpeg('s'), encrypted: true },
      { name: 'link', data: Buffer.from('a.jpg'), unixMode: 0o120777 },
      { name: 'lying.jpg', data: Buffer.concat([jpeg('l'), Buffer.alloc(5000, 7)]), declaredSize: 100 },
    ]),
    withMethod(buildZip([{ name: 'ppmd.jpg', data: jpeg('p') }]), 98),
  ],
  tar: async () => [await oddTar(), cut(await buildTar([{ name: 'big.bin', data: Buffer.alloc(20_000, 1) }]))],
  gzip: async () => [gzipSync(await oddTar()), cut(gzipSync(Buffer.concat([jpeg('g'), Buffer.alloc(100_000, 3)]), { level: 0 }))],
  bzip2: async () => {
    const bz = (data: Buffer) => execFileSync('bzip2', ['-c'], { input: data });
    return [bz(await oddTar()), cut(bz(Buffer.concat([jpeg('b'), Buffer.alloc(5000, 3)])))];
  },
  sqlite: async () => [cut(await buildSqlite((db) => db.run(`CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('${'x'.repeat(9000)}')`)))],
  parquet: async () => {
    const reads = buildParquet([{ name: 'plate', data: ['ABC1234'], type: 'STRING' }]);
    const encrypted = Buffer.from(reads);
    encrypted.write('PARE', encrypted.length - 4, 'latin1');
    return [cut(reads), encrypted, parquetLzo()];
  },
  pdf: async () => [
    await claimsEncryption(await pdfWithImage({ Width: 1, Height: 1, ColorSpace: 'DeviceRGB', BitsPerComponent: 8, Filter: 'DCTDecode' }, jpeg('e'))),
    await pdfWithImage({ Width: 8, Height: 8, ColorSpace: 'DeviceGray', BitsPerComponent: 1, Filter: 'CCITTFaxDecode' }, Buffer.alloc(8)),
    await pdfWithImage({ Width: 4, Height: 4, ColorSpace: ['Lab', {}], BitsPerComponent: 8 }, Buffer.alloc(48)),
    await pdfWithImage({ Width: 0, Height: 4, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 }, Buffer.alloc(48)),
  ],
  // Each video format's magic, then bytes no demuxer reads: ffmpeg refuses them.
  ...Object.fromEntries(Object.entries(VIDEO_HEADS).map(([id, head]) => [id, async () => [Buffer.concat([await head(), Buffer.alloc(4096, 0x5a)])]])),
  // A Word file (not a message), a compound file whose directory is garbage, an S/MIME message.
  ole2: async () => [
    wordDocument(),
    Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1000, 0xee)]),
    buildMsg({ attachments: [{ name: 'smime.p7m', data: Buffer.alloc(64, 1), mimeType: 'application/pkcs7-mime' }] }),
  ],
  // MIME parts nested past the parser's depth (a hostile message, not parsed), and an S/MIME one.
  email: async () => [nestedMime(100), smime],
  mbox: async () => [
    Buffer.concat([
      Buffer.from('From a@example.org Mon Nov  2 10:00:00 2026\n'),
      nestedMime(100),
      Buffer.from('\nFrom a@example.org Mon Nov  2 10:00:00 2026\n'),
      smime,
    ]),
  ],
  xz: async () => {
    const xz = (data: Buffer) => execFileSync('xz', ['-c'], { input: data });
    return [xz(await oddTar()), cut(xz(Buffer.concat([jpeg('x'), Buffer.alloc(5000, 3)])))];
  },
  '7z': sevenZips,
  rar: async () => [await fixture('rar4.rar'), await fixture('rar4-encrypted.rar'), cut(await fixture('rar5-multiple.rar'))],
  zstd: async () => {
    const zstd = (data: Buffer) => execFileSync('zstd', ['-c', '-q'], { input: data });
    return [zstd(await oddTar()), cut(zstd(Buffer.concat([jpeg('z'), Buffer.alloc(5000, 3)])))];
  },
  'git-object': async () => {
    const blob = (data: Buffer) => deflateSync(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]));
    return [blob(await oddTar()), cut(blob(Buffer.concat([jpeg('o'), Buffer.alloc(5000, 3)]))), deflateSync(Buffer.from('blob 9\0short'))];
  },
};

/** A Parquet file whose column claims LZO (written stored by an identity compressor): a codec custody lacks. */
function parquetLzo(): Buffer {
  return buildParquet([{ name: 'plate', data: ['ABC1234'], type: 'STRING' }], { codec: 'LZO', compressors: { LZO: (input: Uint8Array) => input } });
}

const smime = Buffer.from(
  'From: a@example.org\r\nTo: b@example.org\r\nSubject: sealed\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFA\r\n',
);

function nestedMime(depth: number): Buffer {
  let body = 'text';
  for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
  return Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: deep\r\n${body}`);
}

describe('each container format declares the coverage reasons its reader emits', () => {
  for (const format of CONTAINER_FORMATS) {
    it.runIf(!TOOLS[format.id] || has(TOOLS[format.id]!))(`${format.id}: exactly its declared reasons, on hostile samples`, async () => {
      const samples = HOSTILE[format.id];
      expect(samples, `hostile ${format.id} samples in this test`).toBeDefined();
      const seen = new Set<string>();
      for (const [i, bytes] of (await samples!()).entries()) {
        for (const entry of (await expand(memoryItem(`sample${i}`, bytes))).coverage) seen.add(entry.reason);
      }
      expect([...seen].sort()).toEqual([...format.reasons].sort());
    });
  }
});
