import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SourceEvent } from '../item.js';
import { leadsOutside, outsideCoverage, realFolder } from './confine.js';
import { coverage, notice } from './events.js';

/**
 * `<name>.checksum` (or `fallback`, e.g. `manifest.checksum`) beside a manifest holds the hex MD5 of
 * the manifest bytes; AWS and Azure write it last, so its absence means the run may be unfinished.
 */
export async function* verifyManifestChecksum(path: string, bytes: Buffer, fallback: string): AsyncGenerator<SourceEvent> {
  const dir = dirname(path);
  const candidates = [...new Set([join(dir, `${basename(path).replace(/\.json$/i, '')}.checksum`), join(dir, fallback)])];
  const realDir = await realFolder(dir);
  for (const candidate of candidates) {
    if (await leadsOutside(realDir, candidate)) {
      yield outsideCoverage(candidate, "the checksum file is a symbolic link leading out of the manifest's folder; not read");
      return;
    }
    let expected: string;
    try {
      expected = (await readFile(candidate, 'utf8')).trim().toLowerCase();
    } catch {
      continue;
    }
    const actual = createHash('md5').update(bytes).digest('hex');
    if (actual !== expected) {
      // Quoted only when it is an MD5: the file's other contents have no place in a report.
      const says = /^[0-9a-f]{32}$/.test(expected) ? `says ${expected}` : 'holds no MD5';
      yield coverage({ location: path, reason: 'manifest-checksum', detail: `MD5 ${actual} but ${basename(candidate)} ${says}`, incomplete: true });
    }
    return;
  }
  yield notice(
    path,
    'warning',
    `no ${candidates.map((c) => basename(c)).join(' or ')} beside the manifest: the inventory may be incomplete (the checksum is written last)`,
  );
}
