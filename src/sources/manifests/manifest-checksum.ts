import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SourceEvent } from '../item.js';
import { coverage, notice } from './events.js';

/**
 * `<name>.checksum` (or `fallback`, e.g. `manifest.checksum`) beside a manifest holds the hex MD5 of
 * the manifest bytes; AWS and Azure write it last, so its absence means the run may be unfinished.
 */
export async function* verifyManifestChecksum(path: string, bytes: Buffer, fallback: string): AsyncGenerator<SourceEvent> {
  const dir = dirname(path);
  const candidates = [...new Set([join(dir, basename(path).replace(/\.json$/i, '') + '.checksum'), join(dir, fallback)])];
  for (const candidate of candidates) {
    let expected: string;
    try {
      expected = (await readFile(candidate, 'utf8')).trim().toLowerCase();
    } catch {
      continue;
    }
    const actual = createHash('md5').update(bytes).digest('hex');
    if (actual !== expected) {
      yield coverage({ location: path, reason: 'manifest-checksum', detail: `MD5 ${actual} but ${basename(candidate)} says ${expected.slice(0, 32)}`, incomplete: true });
    }
    return;
  }
  yield notice(path, 'warning', `no ${candidates.map((c) => basename(c)).join(' or ')} beside the manifest: the inventory may be incomplete (the checksum is written last)`);
}
