import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expand, jpeg, locations, memoryItem } from '../sources/archives/support/harness.js';
import { buildMsg, type MsgSpec } from '../sources/support/msg-writer.js';

const photo = Buffer.concat([jpeg('cam1'), randomBytes(20_000)]);
const message = (): Buffer => buildMsg({ subject: 'lane', body: 'read ABC1234', attachments: [{ name: 'cam.jpg', data: photo }] });

/** The byte offset of each directory entry named `name` (names are UTF-16LE at an entry's start; entries are 128 bytes, after the 512-byte header). */
function entries(file: Buffer, name: string): number[] {
  const needle = Buffer.from(name, 'utf16le');
  const found: number[] = [];
  for (let at = file.indexOf(needle); at >= 0; at = file.indexOf(needle, at + 1)) if ((at - 512) % 128 === 0) found.push(at);
  return found;
}

/** The FAT's entry for `sector` (version 3 files: 512-byte sectors, the first FAT sector named in the header). */
const fatEntry = (file: Buffer, sector: number): number => 512 + file.readUInt32LE(0x4c) * 512 + sector * 4;

describe('hostile Outlook .msg: no crash, no hang, bounded', () => {
  it('truncated anywhere: members as far as the bytes go, or a coverage entry, never a throw', async () => {
    const whole = message();
    for (const fraction of [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const cut = whole.subarray(0, Math.floor(whole.length * fraction));
      const result = await expand(memoryItem('cut.msg', cut));
      expect(result.items.length + result.coverage.length, `cut at ${fraction}`).toBeGreaterThan(0);
      for (const entry of result.coverage) expect(entry.incomplete, `cut at ${fraction}`).toBe(true);
      // Never a member longer than the photo, nor one padded past what the file held.
      expect(result.bytes.get('cut.msg!/cam.jpg')?.length ?? 0).toBeLessThanOrEqual(photo.length);
    }
  });

  it('a stream declaring more than its sectors hold is read as far as it goes and recorded; one declaring less is cut there', async () => {
    const file = message();
    const [entry] = entries(file, '__substg1.0_37010102');
    expect(entry).toBeDefined();
    const larger = Buffer.from(file);
    larger.writeUInt32LE(0x7fff_0000, entry! + 0x78);
    const rss = process.memoryUsage().rss;
    const lying = await expand(memoryItem('big.msg', larger));
    expect(process.memoryUsage().rss - rss).toBeLessThan(500 * 1024 * 1024);
    expect(lying.coverage.map((c) => c.reason)).toContain('corrupt-archive');
    expect(lying.coverage.find((c) => c.reason === 'corrupt-archive')!.detail).toMatch(/declared, \d+ held/);
    expect(lying.bytes.get('big.msg!/cam.jpg')?.length ?? 0).toBeLessThanOrEqual(photo.length + 512);
    const smaller = Buffer.from(file);
    smaller.writeUInt32LE(5000, entry! + 0x78);
    const cut = await expand(memoryItem('small.msg', smaller));
    expect(cut.bytes.get('small.msg!/cam.jpg')).toEqual(photo.subarray(0, 5000));
  });

  it('a FAT chain that loops back (the attachment, the directory) ends where it loops: no hang', async () => {
    const file = message();
    const [entry] = entries(file, '__substg1.0_37010102');
    const start = file.readUInt32LE(entry! + 0x74);
    const looped = Buffer.from(file);
    // The attachment's second sector points back to its first: the chain would never end.
    looped.writeUInt32LE(start, fatEntry(looped, start + 1));
    const result = await expand(memoryItem('loop.msg', looped));
    expect(result.coverage.map((c) => `${c.reason} ${c.location}`)).toContain('corrupt-archive loop.msg');
    expect(result.bytes.get('loop.msg!/cam.jpg')?.length ?? 0).toBeLessThanOrEqual(1024);
    const directory = Buffer.from(file);
    const first = directory.readUInt32LE(0x30);
    directory.writeUInt32LE(first, fatEntry(directory, first));
    const dir = await expand(memoryItem('dir.msg', directory));
    expect(dir.items.length + dir.coverage.length).toBeGreaterThan(0);
  });

  it('a directory whose sibling links form a cycle is read once: no hang', async () => {
    const file = message();
    const [entry] = entries(file, '__substg1.0_37010102');
    const cyclic = Buffer.from(file);
    const self = (entry! - 512) / 128 - cyclic.readUInt32LE(0x30) * 4;
    cyclic.writeUInt32LE(self, entry! + 0x44);
    cyclic.writeUInt32LE(self, entry! + 0x48);
    const result = await expand(memoryItem('cycle.msg', cyclic));
    expect(result.items.length + result.coverage.length).toBeGreaterThan(0);
    for (const entry of result.coverage) expect(entry.incomplete).toBe(true);
  });

  it('embedded messages nested 200 deep stop at maxDepth, each level named', async () => {
    let spec: MsgSpec = { body: 'bottom', attachments: [{ name: 'p.jpg', data: jpeg('p') }] };
    for (let i = 0; i < 200; i++) spec = { subject: `fwd ${i}`, attachments: [{ name: 'Fwd', message: spec }] };
    const started = Date.now();
    const result = await expand(memoryItem('chain.msg', buildMsg(spec)));
    expect(Date.now() - started).toBeLessThan(60_000); // a backstop: nothing here should take seconds
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ reason: 'archive-limit', incomplete: true });
    expect(result.coverage[0]!.location).toBe(`chain.msg${'!/Fwd.msg'.repeat(5)}`);
    expect(result.coverage[0]!.detail).toMatch(/maxDepth/);
    expect(locations(result)).toContain('chain.msg!/subject.txt');
  }, 120_000);
});
