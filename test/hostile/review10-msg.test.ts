import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expand, jpeg, locations, memoryItem } from '../sources/archives/support/harness.js';
import { declareSizes, extraStream, messageWith } from './support/msg-surgery.js';

const photo = Buffer.concat([jpeg('cam1'), randomBytes(5_000)]);

describe('a .msg part that fails keeps the parts read around it', () => {
  it('an attachment with no data stream is recorded at its own location; subject, body and the photo after it are members (before: the whole message corrupt-archive, no member)', async () => {
    const file = messageWith({
      subject: 'lane 4',
      body: 'read ABC1234',
      attachments: [
        { name: 'link.url', noData: true },
        { name: 'cam.jpg', data: photo },
      ],
    });
    const result = await expand(memoryItem('m.msg', file));
    expect(locations(result)).toEqual(['m.msg!/subject.txt', 'm.msg!/body.txt', 'm.msg!/cam.jpg']);
    expect(result.bytes.get('m.msg!/cam.jpg')).toEqual(photo);
    expect(result.bytes.get('m.msg!/body.txt')?.toString()).toBe('read ABC1234');
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ location: 'm.msg!/link.url', reason: 'corrupt-archive', incomplete: true });
    expect(result.coverage[0]!.detail).toMatch(/^msg: attachment not read \(/);
  });

  it('an RTF body that does not decompress is recorded as body.rtf; the subject and the attachment are members (before: no member)', async () => {
    const file = messageWith({
      subject: 'lane 4',
      rtf: Buffer.from('not compressed RTF at all, no LZFu header'),
      attachments: [{ name: 'cam.jpg', data: photo }],
    });
    const result = await expand(memoryItem('r.msg', file));
    expect(locations(result)).toEqual(['r.msg!/subject.txt', 'r.msg!/cam.jpg']);
    expect(result.coverage.map((c) => `${c.reason} ${c.location} ${c.incomplete}`)).toEqual(['corrupt-archive r.msg!/body.rtf true']);
    expect(result.coverage[0]!.detail).toMatch(/^msg: RTF body not decompressed/);
  });
});

describe('a .msg with thousands of streams shorter than they declare', () => {
  it('is one coverage entry for the message with the count, still incomplete, its parts still members (before: one entry per stream)', async () => {
    const streams = 3000;
    const file = messageWith({ subject: 'lane 4', body: 'read ABC1234', attachments: [{ name: 'cam.jpg', data: photo }], extraStreams: streams });
    // Each extra stream holds 2-5 bytes in one 64-byte mini sector and now declares 1000.
    expect(declareSizes(file, new Map(Array.from({ length: streams }, (_, i) => [extraStream(i), 1000])))).toBe(streams);
    const result = await expand(memoryItem('s.msg', file));
    expect(locations(result)).toEqual(['s.msg!/subject.txt', 's.msg!/body.txt', 's.msg!/cam.jpg']);
    expect(result.bytes.get('s.msg!/cam.jpg')).toEqual(photo);
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ location: 's.msg', reason: 'corrupt-archive', incomplete: true });
    expect(result.coverage[0]!.detail).toMatch(
      new RegExp(`^msg: ${streams} streams end before their declared size; read as far as they go: ${extraStream(0)} \\(1000 bytes declared, 64 held\\), `),
    );
    expect(result.coverage[0]!.detail).toMatch(/, and 2997 more$/);
  }, 60_000);

  it('one short stream is still named in full', async () => {
    const file = messageWith({ subject: 'lane 4', extraStreams: 1 });
    expect(declareSizes(file, new Map([[extraStream(0), 1000]]))).toBe(1);
    const result = await expand(memoryItem('one.msg', file));
    expect(result.coverage.map((c) => c.detail)).toEqual([
      `msg: 1 stream ends before its declared size; read as far as it goes: ${extraStream(0)} (1000 bytes declared, 64 held)`,
    ]);
  });
});
