import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isInside } from '../../util/paths.js';
import type { SourceEvent } from '../item.js';
import { leadsOutside, outsideCoverage, realFolder } from './confine.js';
import { coverage } from './events.js';

/** Where a data file named in a manifest is: found, not there, or refused as leading outside. */
export type DataFileLookup = { kind: 'found'; file: string } | { kind: 'missing' } | { kind: 'outside'; detail: string };

/**
 * Where an inventory data file named in a manifest (`files[].key`, a bucket-relative key such as
 * `inv/src/config/data/x.csv.gz`) lives on the local disk. Only two folders are searched, so a
 * manifest cannot make custody read this machine's files: the manifest's folder, and (S3 layout,
 * `<config>/<date>/manifest.json` beside `<config>/data/`) the `data/` folder of the manifest's
 * parent, for keys ending in `<config>/data/<name>`. Looked up there, first hit wins:
 * 1. the key under the manifest's folder or under an ancestor (a downloaded copy of the destination
 *    bucket keeps the layout: `<root>/<key>` with the manifest deeper inside <root>);
 * 2. `data/<basename>` beside the manifest (the layout `aws s3 sync` of one inventory run gives);
 * 3. `<basename>` beside the manifest (files flattened into one folder).
 * An absolute key, a key with `..` segments, or a file whose real path leads out of those folders
 * (a symbolic link) is refused without being read.
 */
export async function resolveDataFile(manifestPath: string, key: string): Promise<DataFileLookup> {
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key) || key.split(/[/\\]/).includes('..')) {
    return { kind: 'outside', detail: 'absolute path or ".." in a data file key; custody reads data files only beside the manifest' };
  }
  const dir = dirname(resolve(manifestPath));
  const segments = key.split('/').filter((s) => s !== '' && s !== '.');
  const name = segments[segments.length - 1];
  if (name === undefined) return { kind: 'missing' };
  const s3Data = segments.length >= 3 && segments.at(-2) === 'data' && segments.at(-3) === basename(dirname(dir)) ? join(dirname(dir), 'data') : undefined;
  const allowed = [dir, ...(s3Data ? [s3Data] : [])];
  const candidates: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, ...segments);
    if (allowed.some((a) => isInside(candidate, a))) candidates.push(candidate);
    if (dirname(d) === d) break;
  }
  candidates.push(join(dir, 'data', name), join(dir, name));
  const realAllowed = await Promise.all(allowed.map(realFolder));
  for (const candidate of candidates) {
    if (!(await isFile(candidate))) continue;
    const inside = await Promise.all(realAllowed.map(async (a) => !(await leadsOutside(a, candidate))));
    if (!inside.some(Boolean)) return { kind: 'outside', detail: "the data file is a symbolic link leading out of the manifest's folder; not read" };
    return { kind: 'found', file: candidate };
  }
  return { kind: 'missing' };
}

/** The coverage entry for a data file that was not read: missing (with `missingDetail`) or refused. */
export function dataFileCoverage(reference: string, lookup: Exclude<DataFileLookup, { kind: 'found' }> | undefined, missingDetail: string): SourceEvent {
  if (lookup?.kind === 'outside') return outsideCoverage(reference, lookup.detail);
  return coverage({ location: reference, reason: 'manifest-data-missing', detail: missingDetail, incomplete: true });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
