import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isArchive } from '../../../src/sources/archives/index.js';
import { CONTAINER_FORMATS, containerFormat, RECOGNISED_FORMATS, unopenedFormat } from '../../../src/sources/containers/registry.js';
import { COVERAGE_REASONS } from '../../../src/sources/coverage-reasons.js';
import { MEDIA_TYPES, type MediaType, sniff } from '../../../src/sources/sniff.js';
import { isUnsupported, unsupportedCoverage } from '../../../src/sources/unsupported.js';
import { buildParquet, buildSqlite } from '../../hostile/support/data-files.js';
import { buildPdf } from '../../hostile/support/pdf.js';
import { buildTar } from '../archives/support/harness.js';
import { buildZip } from '../archives/support/zip-writer.js';
import { buildMsg } from '../support/msg-writer.js';
import { readSources, reasonLiterals } from '../support/reason-literals.js';
import { VIDEO_HEADS } from '../support/video-heads.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A real file of each container format custody opens: a format added to the registry needs one here. */
const SAMPLES: Record<string, () => Promise<Buffer>> = {
  zip: async () => buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]),
  tar: async () => buildTar([{ name: 'a.txt', data: Buffer.from('hello') }]),
  gzip: async () => gzipSync(Buffer.from('hello')),
  // `printf hello | bzip2`
  bzip2: async () => Buffer.from('425a68393141592653591931653d00000081000244a000219a68334d07338bb9229c28480c98b29e80', 'hex'),
  sqlite: () => buildSqlite((db) => db.run('CREATE TABLE t (a TEXT)')),
  parquet: async () => buildParquet([{ name: 'a', data: ['hello'], type: 'STRING' }]),
  pdf: async () => buildPdf({ pages: [['hello']] }),
  ole2: async () => buildMsg({ subject: 'hello' }),
  ...VIDEO_HEADS,
  email: async () => Buffer.from('From: a@example.org\r\nTo: b@example.org\r\nSubject: hello\r\n\r\nhello\r\n'),
  mbox: async () => Buffer.from('From a@example.org Mon Nov  2 10:00:00 2026\nFrom: a@example.org\nSubject: hello\n\nhello\n'),
  // `printf hello | xz`, `printf hello | zstd`
  xz: async () =>
    Buffer.from('fd377a585a000004e6d6b4460200210116000000742fe5a301000468656c6c6f00000000b137b9dbe5da1e9b00011d05b82d80af1fb6f37d010000000004595a', 'hex'),
  zstd: async () => Buffer.from('28b52ffd045829000068656c6c6fa36d9f88', 'hex'),
  // `7zz a x.7z a.txt` (a.txt: "hello"), and a RAR 5 from libarchive's tests (fixtures/archives/README.md)
  '7z': async () =>
    Buffer.from(
      '377abcaf271c000455ebc7e609000000000000005200000000000000e7ef1e5b01000468656c6c6f000104060001090900070b010001212101000c0500080a0186a6103600000501190c000000000000000000000000110d0061002e007400780074000000140a0100c6e6d2759685dd01150601002080a4810000',
      'hex',
    ),
  rar: async () => readFile(path.join(ROOT, 'fixtures', 'archives', 'rar5-multiple.rar')),
  // A loose object as git writes it: zlib over `blob <size>\0<content>`.
  'git-object': async () => deflateSync(Buffer.from('blob 5\0hello')),
};

describe('the container registry', () => {
  it('gives each format its own id and media type', () => {
    const media = RECOGNISED_FORMATS.map((f) => f.media);
    expect(new Set(media).size).toBe(media.length);
    expect(new Set(RECOGNISED_FORMATS.map((f) => f.id)).size).toBe(RECOGNISED_FORMATS.length);
    expect(new Set(MEDIA_TYPES).size).toBe(MEDIA_TYPES.length);
    for (const m of media) expect(MEDIA_TYPES).toContain(m);
  });

  for (const format of CONTAINER_FORMATS) {
    it(`sniffs and opens ${format.id} from the registry, and never reports it as unsupported`, async () => {
      const sample = SAMPLES[format.id];
      expect(sample, `a sample ${format.id} file in this test`).toBeDefined();
      const head = (await sample!()).subarray(0, 512);
      expect(sniff(head)).toBe(format.media);
      expect(containerFormat(format.media)).toBe(format);
      expect(isArchive(format.media)).toBe(true);
      expect(unopenedFormat(format.media)).toBeUndefined();
      expect(isUnsupported(format.media)).toBe(false);
      expect(unsupportedCoverage('x', format.media)).toBeUndefined();
    });
  }

  it('answers for every format it does not open: recognised, not opened, with an incomplete coverage reason', () => {
    const unopened = RECOGNISED_FORMATS.filter((f) => !containerFormat(f.media));
    expect(unopened.length).toBeGreaterThan(15);
    for (const format of unopened) {
      const media = format.media as MediaType;
      expect(isUnsupported(media), format.id).toBe(true);
      expect(isArchive(media), format.id).toBe(false);
      const entry = unsupportedCoverage('x', media);
      expect(entry?.reason, format.id).toBe(unopenedFormat(format.media)?.reason);
      expect(entry?.detail?.startsWith(`${format.id}: `), format.id).toBe(true);
      expect(COVERAGE_REASONS[entry!.reason as keyof typeof COVERAGE_REASONS].incomplete).toBe(true);
    }
  });

  it('declares every coverage reason the container readers emit', () => {
    const files = new Map([...readSources(ROOT, 'src/sources/archives'), ...readSources(ROOT, 'src/sources/containers')]);
    const emitted = new Set(reasonLiterals(files).map((f) => f.reason));
    // The walk's own (limits, an archive item without content) and those of the formats not opened;
    // a reading-time bound (SQLite, Parquet), which depends on the load, not on the bytes; and a
    // program that is not installed (ffmpeg), which depends on the machine.
    const unopened = RECOGNISED_FORMATS.flatMap((f) => unopenedFormat(f.media)?.reason ?? []);
    const declared = new Set<string>([
      'archive-limit',
      'unreadable',
      'container-timeout',
      'missing-tool',
      ...CONTAINER_FORMATS.flatMap((f) => f.reasons),
      ...unopened,
    ]);
    expect([...emitted].filter((reason) => !declared.has(reason))).toEqual([]);
    expect(emitted.has('encrypted')).toBe(true);
  });
});
