import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expand, jpeg, locations, memoryItem } from '../sources/archives/support/harness.js';
import { messageWith } from './support/msg-surgery.js';

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
