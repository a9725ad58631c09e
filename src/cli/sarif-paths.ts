import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { SarifPaths } from '../report/sarif-location.js';
import { distinctRoots } from '../sources/roots.js';
import { errorCode, UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';

async function kind(file: string): Promise<'directory' | 'file' | 'missing'> {
  try {
    return (await stat(file)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** The `--sarif-root` directory, absolute; a usage error unless it is a directory. */
async function sarifRoot(given: string | undefined, cwd: string): Promise<string> {
  if (given === undefined) return cwd;
  const root = path.resolve(cwd, given);
  try {
    if ((await stat(root)).isDirectory()) return root;
  } catch (error) {
    throw new UsageError(`--sarif-root ${escapeInvisible(given)}: not a directory (${errorCode(error) ?? 'unreadable'})`);
  }
  throw new UsageError(`--sarif-root ${escapeInvisible(given)}: not a directory`);
}

/**
 * Where a report's relative locations are, as the sources name them (src/sources/roots.ts,
 * files-from.ts): under the root when one directory is audited (under its folder when that root
 * is a file, and a checksum list's names are read from the list's folder, as `sha256sum -c`
 * does), else from the working directory (several roots are prefixed with their names, and
 * `--files-from` paths are named from there). `roots` are the audited directories, `others` the
 * manifests; `lists` tells whether a `--files-from` list was read.
 */
async function locationBase(roots: readonly string[], others: readonly string[], lists: boolean, cwd: string): Promise<string> {
  const distinct = (await distinctRoots(roots.map((root) => path.resolve(cwd, root)))).roots;
  if (distinct.length === 1 && !lists) {
    const root = distinct[0]!;
    return (await kind(root)) === 'file' ? path.dirname(root) : root;
  }
  if (distinct.length === 0 && others.length === 1 && !lists) return path.dirname(path.resolve(cwd, others[0]!));
  return cwd;
}

/** SARIF paths of `custody audit`: it knows which inputs are roots. */
export async function auditSarifPaths(
  given: string | undefined,
  cwd: string,
  roots: readonly string[],
  manifests: readonly string[],
  lists: boolean,
): Promise<SarifPaths> {
  return { root: await sarifRoot(given, cwd), base: await locationBase(roots, manifests, lists, cwd), cwd };
}

const FILES_FROM = '--files-from ';

/**
 * SARIF paths of `custody merge`: the shards' inputs are names only, so what each is is looked up
 * from the working directory the merge runs in (that of the audits, in the README's recipes). A
 * name that is a file there is a manifest; a directory, or a name not there (a share mounted on the
 * shards' machines only), is an audited root.
 */
export async function mergeSarifPaths(given: string | undefined, cwd: string, inputs: readonly string[]): Promise<SarifPaths> {
  const named = inputs.filter((input) => !input.startsWith(FILES_FROM));
  const kinds = await Promise.all(named.map((input) => kind(path.resolve(cwd, input))));
  const roots = named.filter((_, i) => kinds[i] !== 'file');
  const files = named.filter((_, i) => kinds[i] === 'file');
  return { root: await sarifRoot(given, cwd), base: await locationBase(roots, files, named.length < inputs.length, cwd), cwd };
}
