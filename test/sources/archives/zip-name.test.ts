import { describe, expect, it } from 'vitest';
import { buildZip } from '../../hostile/support/archives.js';
import { expand, memoryItem } from './support/harness.js';

/** Member locations of a zip whose entries carry these raw names (no UTF-8 flag). */
async function locations(names: readonly Buffer[]): Promise<string[]> {
  const zip = buildZip(names.map((name) => ({ name, data: Buffer.from('x') })));
  const { items } = await expand(memoryItem('names.zip', zip));
  return items.map((item) => item.location);
}

describe('zip member names without the UTF-8 flag', () => {
  it('are read as UTF-8 when they are valid UTF-8 (what zip tools store today), so a plate spelled with an en dash stays readable to redaction', async () => {
    // As CP437 these bytes would read `crop QRTΓÇô4821.jpg`: the plate still shows, but no longer as a plate.
    expect(await locations([Buffer.from('crop QRT–4821.jpg', 'utf8'), Buffer.from('ＱＲＴ/é.txt', 'utf8')])).toEqual([
      'names.zip!/crop QRT–4821.jpg',
      'names.zip!/ＱＲＴ/é.txt',
    ]);
  });

  it('fall back to CP437 (the zip specification) when they are not valid UTF-8', async () => {
    // 0x82 is é in CP437 and can start no UTF-8 sequence.
    expect(await locations([Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74])])).toEqual(['names.zip!/café.txt']);
  });
});
