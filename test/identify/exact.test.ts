import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { DEFAULT_DETECT_LIMITS, type Detector } from '../../src/identify/detector.js';
import { exactDetector } from '../../src/identify/exact.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadedSet } from '../../src/references/load.js';
import { walkFilesystem } from '../../src/sources/filesystem.js';
import type { Item } from '../../src/sources/item.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const REF_A = bytesOf('reference a', 4096);
const REF_B = bytesOf('reference b', 777);

describe('exact detector', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let detector: Detector;
  let index: FingerprintIndex;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeTree(path.join(dir, 'refs'), { 'lanes/a.jpg': REF_A, 'travelers/b.jpg': REF_B });
    const { file } = await createFingerprints({
      roots: ['refs'],
      cwd: dir,
      classes: [
        { glob: 'lanes/**', assetClass: 'vehicle-image' },
        { glob: 'travelers/**', assetClass: 'traveler-image' },
      ],
    });
    index = new FingerprintIndex([loadedSet('refs.fp.json', file)]);
    detector = exactDetector.create({ fingerprints: index, markers: [], limits: DEFAULT_DETECT_LIMITS, notice: () => undefined })!;
  });
  afterAll(async () => cleanup());

  it('is not created without references', () => {
    expect(
      exactDetector.create({ fingerprints: FingerprintIndex.empty(), markers: [], limits: DEFAULT_DETECT_LIMITS, notice: () => undefined }),
    ).toBeUndefined();
  });

  it('finds renamed and wrong-extension copies; ignores same-size different content and other sizes', async () => {
    const sameSize = Buffer.from(REF_A);
    sameSize[100] = sameSize[100]! ^ 0xff;
    await writeTree(path.join(dir, 'share'), {
      'renamed/frame_0042.jpg': REF_A,
      'wrong-ext/notes.txt': REF_A,
      'no extension': REF_B,
      'same-size.jpg': sameSize,
      'prefix.jpg': REF_A.subarray(0, 4000),
    });
    const verdicts: Record<string, unknown> = {};
    const hashed: string[] = [];
    for await (const event of walkFilesystem(path.join(dir, 'share'))) {
      if (event.kind !== 'item') continue;
      const { item } = event;
      if (!detector.applies(item, undefined)) continue;
      hashed.push(item.location);
      const result = await detector.detect(item, undefined);
      verdicts[item.location] = result.identifications.map((i) => [i.method, i.asset, i.reference]);
    }
    expect(verdicts).toEqual({
      'renamed/frame_0042.jpg': [['exact', 'vehicle-image', 'lanes/a.jpg']],
      'wrong-ext/notes.txt': [['exact', 'vehicle-image', 'lanes/a.jpg']],
      'no extension': [['exact', 'traveler-image', 'travelers/b.jpg']],
      'same-size.jpg': [],
    });
    // the size prefilter: a file of no reference's size is never read
    expect(hashed).not.toContain('prefix.jpg');
  });

  it('gives the sha256 as evidence and as a fact (saves a second read)', async () => {
    const item: Item = { location: 'x', origin: 'filesystem', size: REF_B.length, content: memory(REF_B) };
    const result = await detector.detect(item, undefined);
    expect(result.identifications[0]!.evidence).toEqual({ sha256: sha256(REF_B), size: REF_B.length });
    expect(result.facts?.sha256).toBe(sha256(REF_B));
  });

  // manifest item digests | expected [method, asset, reference, evidence subset]
  const manifestCases: [string, Partial<Item>, unknown][] = [
    [
      'sha256 digest',
      { digests: { sha256: sha256(REF_A) }, size: REF_A.length },
      ['exact', 'vehicle-image', 'lanes/a.jpg', { sha256: sha256(REF_A), from: 'manifest' }],
    ],
    [
      'md5 digest (an S3 ETag)',
      { digests: { md5: md5(REF_B) }, size: REF_B.length },
      ['exact', 'traveler-image', 'travelers/b.jpg', { md5: md5(REF_B), from: 'manifest' }],
    ],
    [
      'opaque digest, size of a reference',
      { opaqueDigest: 'multipart ETag', size: REF_A.length },
      ['unverifiable', 'vehicle-image', undefined, { reason: 'multipart ETag', sameSizeReferences: 1 }],
    ],
    // A real content hash that matches nothing settles it: not a copy, not a candidate either.
    ['unmatched md5, size of a reference', { digests: { md5: '0'.repeat(32) }, size: REF_B.length }, undefined],
    ['unmatched sha256, size of a reference', { digests: { sha256: '0'.repeat(64) }, size: REF_A.length }, undefined],
    [
      'sha1 only (not comparable), size of a reference',
      { digests: { sha1: '0'.repeat(40) }, size: REF_A.length },
      ['unverifiable', 'vehicle-image', undefined, { sameSizeReferences: 1 }],
    ],
    ['unmatched md5, other size', { digests: { md5: '0'.repeat(32) }, size: 12 }, undefined],
  ];
  it.each(manifestCases)('manifest object with %s', async (_name, fields, expected) => {
    const item: Item = { location: 's3://bucket/key', origin: 'manifest', size: 0, ...fields };
    expect(detector.applies(item, undefined)).toBe(true);
    const result = await detector.detect(item, undefined);
    if (expected === undefined) return expect(result.identifications).toEqual([]);
    const [method, asset, reference, evidence] = expected as [string, string, string | undefined, Record<string, unknown>];
    expect(result.identifications).toHaveLength(1);
    const [hit] = result.identifications;
    expect([hit!.method, hit!.asset, hit!.reference]).toEqual([method, asset, reference]);
    expect(hit!.evidence).toMatchObject(evidence);
  });

  it('a manifest object without digests and of no reference size is not a candidate', () => {
    expect(detector.applies({ location: 's3://b/k', origin: 'manifest', size: 5 }, undefined)).toBe(false);
  });
});

function memory(bytes: Buffer): NonNullable<Item['content']> {
  return {
    head: async (n) => bytes.subarray(0, n),
    readAll: async () => bytes,
    stream: () => Readable.from([bytes]),
  };
}
