import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * Where an inventory data file named in a manifest (`files[].key`, a bucket-relative key such as
 * `inv/src/config/data/x.csv.gz`) lives on the local disk, or undefined. Looked up, first hit wins:
 * 1. the key under the manifest's folder or any of its ancestors (a downloaded copy of the
 *    destination bucket keeps the layout: `<root>/<key>` with the manifest deeper inside <root>);
 * 2. `data/<basename>` beside the manifest (the layout `aws s3 sync` of one inventory run gives);
 * 3. `<basename>` beside the manifest (files flattened into one folder).
 * Keys with `..` segments are only looked up by basename, so a manifest cannot point outside.
 */
export async function resolveDataFile(manifestPath: string, key: string): Promise<string | undefined> {
  const dir = dirname(resolve(manifestPath));
  const segments = key.split('/').filter((s) => s !== '' && s !== '.');
  const name = segments[segments.length - 1];
  if (name === undefined || name === '..') return undefined;
  const candidates: string[] = [];
  if (!segments.includes('..')) {
    for (let d = dir; ; d = dirname(d)) {
      candidates.push(join(d, ...segments));
      if (dirname(d) === d) break;
    }
  }
  candidates.push(join(dir, 'data', name), join(dir, name));
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

