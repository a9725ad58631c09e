import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEEP_SNIFF_BYTES, SNIFF_BYTES, sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { type Agency, buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { removeTree } from '../support/hostile-corpus.js';

const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
/** Deterministic filler that is clearly binary (so weak magics are not mistaken for text). */
const binary = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff));

function tool(name: string, args: string[], input: Buffer): Buffer | undefined {
  const probe = spawnSync(name, ['--version'], { stdio: 'ignore' });
  if (probe.error) return undefined;
  return execFileSync(name, args, { input });
}

/** Hand-built heads of each format, as the format's own writers start them. */
const SAMPLES: Record<string, { bytes: Buffer; reason: string; format: string }> = {
  cab: { bytes: bytes('MSCF', [0, 0, 0, 0], binary(100)), reason: 'unsupported-archive', format: 'cab' },
  deb: { bytes: bytes('!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n'), reason: 'unsupported-archive', format: 'ar' },
  cpio: { bytes: bytes('070701000000010000', [0], binary(100)), reason: 'unsupported-archive', format: 'cpio' },
  // Old binary cpio (cpio -H bin): magic 070707, mode 0100644, a 10-byte name with its NUL.
  'binary cpio': {
    bytes: bytes([0xc7, 0x71, 0, 8, 1, 0, 0xa4, 0x81, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 4, 0], 'reads.csv', [0], binary(40)),
    reason: 'unsupported-archive',
    format: 'cpio',
  },
  compress: { bytes: bytes([0x1f, 0x9d, 0x90], binary(60)), reason: 'unsupported-archive', format: 'Z' },
  rtf: { bytes: bytes('{\\rtf1\\ansi{\\pict\\jpegblip ffd8ffe0}}'), reason: 'unsupported-document', format: 'rtf' },
  orc: { bytes: bytes('ORC', [0x0a, 0x06, 0x08, 0x06, 0x10, 0x00], binary(100)), reason: 'unsupported-database', format: 'orc' },
  avro: { bytes: bytes('Obj', [1, 4, 0x14], 'avro.codec', binary(50)), reason: 'unsupported-database', format: 'avro' },
  wav: { bytes: bytes('RIFF', [0x40, 0, 0, 0], 'WAVEfmt ', binary(60)), reason: 'unsupported-media', format: 'wav' },
  ogg: { bytes: bytes('OggS', [0, 2], binary(60)), reason: 'unsupported-media', format: 'ogg' },
  flac: { bytes: bytes('fLaC', [0, 0, 0, 0x22], binary(60)), reason: 'unsupported-media', format: 'flac' },
  mp3: { bytes: bytes('ID3', [4, 0, 0, 0, 0, 0x10, 0], 'APIC', [0, 0, 0, 0x10], binary(40)), reason: 'unsupported-media', format: 'mp3' },
  iso: { bytes: bytes(Buffer.alloc(32769), 'CD001', [1], binary(2048)), reason: 'unsupported-archive', format: 'iso9660' },
  // A git pack's header: PACK, version 2, object count.
  'git pack': { bytes: bytes('PACK', [0, 0, 0, 2, 0, 0, 0, 3], binary(60)), reason: 'unsupported-archive', format: 'git-pack' },
};

/**
 * Compressed streams made by the real tools (skipped, with a message, where a tool is absent). bzip2,
 * xz and zstd are opened since they joined the container registry (test/sources/containers*).
 */
const STREAMS: { tool: string; args: string[]; format: string }[] = [{ tool: 'lz4', args: ['-c', '-q'], format: 'lz4' }];

function headOf(file: Buffer): Buffer {
  const head = file.subarray(0, SNIFF_BYTES);
  return head.length === SNIFF_BYTES && head.every((b) => b === 0) ? file.subarray(0, DEEP_SNIFF_BYTES) : head;
}

describe('recognised but unsupported formats', () => {
  for (const [name, sample] of Object.entries(SAMPLES)) {
    it(`${name} gets ${sample.reason}: ${sample.format}`, () => {
      const entry = unsupportedCoverage('x', sniff(headOf(sample.bytes)));
      expect(entry).toMatchObject({ reason: sample.reason, incomplete: true });
      expect(entry?.detail?.split(/[ :]/)[0]).toBe(sample.format);
    });
  }

  it('never takes random binary for a format it cannot open (weak magics are checked beyond their first bytes)', () => {
    // 200,000 seeded random heads: before, the two-byte cpio and compress magics alone matched about 1 in 22,000.
    let state = 0x9e3779b9;
    const head = Buffer.alloc(SNIFF_BYTES);
    const found: string[] = [];
    for (let n = 0; n < 200_000; n++) {
      for (let i = 0; i < head.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        head[i] = state & 0xff;
      }
      const entry = unsupportedCoverage('x', sniff(head));
      if (entry) found.push(`${n}: ${entry.detail}`);
    }
    expect(found).toEqual([]);
  });

  for (const stream of STREAMS) {
    it(`a ${stream.format} stream made by ${stream.tool} gets unsupported-archive`, (ctx) => {
      const made = tool(stream.tool, stream.args, Buffer.from('plate,lane\nABC1234,1\n'));
      if (!made) return ctx.skip(`${stream.tool} is not installed`);
      const entry = unsupportedCoverage('x', sniff(made.subarray(0, SNIFF_BYTES)));
      expect(entry).toMatchObject({ reason: 'unsupported-archive', incomplete: true });
      expect(entry?.detail?.startsWith(`${stream.format}:`)).toBe(true);
    });
  }

  it.each([
    ['a log', bytes('2026-11-02T10:00:00Z gate 3 read ABC1234 conf 0.93\n'.repeat(20))],
    ['YAML with header-like lines', bytes('From: ops\nTo: archive\nkind: export\n\nitems: []\n')],
    ['a log starting with "From "', bytes('From now on the gate logs every read\nread ABC1234\n')],
    ['text that starts like ORC', bytes('ORCA sightings, 2026\nlane,count\n1,3\n')],
    ['text mentioning %PDF- without a version', bytes('see the %PDF- header spec\n')],
    ['a log quoting a PDF header', bytes('2026-11-02 upload ok: header %PDF-1.7 seen, plate ABC1234\n')],
    ['an unknown binary', binary(4096)],
  ])('%s is not an unsupported format', (_name, file) => {
    expect(unsupportedCoverage('x', sniff(headOf(file)))).toBeUndefined();
  });
});

describe('audit of unsupported formats', () => {
  let base: string;
  let agency: Agency;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'custody-unsupported-'));
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => {
    if (base) removeTree(base);
  });

  const audit = (files: Record<string, Buffer>) => auditFiles(base, agency, files);

  it('records each one, counts it as not inspected and makes the audit incomplete (exit 3)', async () => {
    // Names without the format's extension: recognition is by content.
    const files = Object.fromEntries(Object.entries(SAMPLES).map(([name, s], i) => [`f${i}-${name.replaceAll(' ', '-')}.bin`, s.bytes]));
    const { exitCode, report } = await audit(files);
    expect(exitCode).toBe(3);
    const names = Object.keys(files);
    for (const [i, sample] of Object.values(SAMPLES).entries()) {
      const entry = report.coverage.find((c) => c.location.endsWith(names[i]!));
      expect(entry, names[i]).toMatchObject({ reason: sample.reason, incomplete: true });
    }
    expect(report.summary.filesSeen).toBe(names.length);
    expect(report.summary.filesInspected).toBe(0);
    expect(report.summary.filesSkipped).toBe(names.length);
  }, 60_000);

  it('an unsupported format inside a zip is recorded at its member location', async () => {
    const zip = (await import('../hostile/support/archives.js')).buildZip([{ name: 'backup/reads.cab', data: SAMPLES.cab!.bytes }]);
    const { exitCode, report } = await audit({ 'export.zip': zip });
    expect(exitCode).toBe(3);
    expect(report.coverage.some((c) => c.location.endsWith('export.zip!/backup/reads.cab') && c.reason === 'unsupported-archive')).toBe(true);
  }, 60_000);

  it('a plain text file and an unknown binary are still inspected (exit 0)', async () => {
    const { exitCode, report } = await audit({ 'notes.txt': bytes('nothing to see\n'), 'blob.dat': binary(4096) });
    expect(report.coverage).toEqual([]);
    expect(report.summary.filesInspected).toBe(2);
    expect(exitCode).toBe(0);
  }, 60_000);
});
