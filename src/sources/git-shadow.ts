import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyEvidenceFile, readEvidenceText } from '../util/evidence-file.js';
import { gitOutput } from './git-run.js';
import type { CoverageEntry } from './item.js';

/**
 * A neutral git directory, made by custody in the temporary directory, through which git reads an
 * audited repository's objects. Git reads a repository's `config` (core.fsmonitor, filters,
 * gpg.program, include.path), its hooks and `objects/info/alternates` wherever they are; a hostile
 * repository could make a read run a command or read outside the audited tree. The shadow holds
 * custody's own config and copies of the refs and of the repository's object files only: regular
 * files (a symlink among them is never followed), never alternates, commit-graphs or multi-pack
 * indexes. Git writes nothing into the audited tree: the only git directory it knows is
 * the shadow, and custody runs plumbing only, with optional locks off.
 */
export interface Shadow {
  dir: string;
  /** Object files not copied (symlinks), and other reasons the history is partial. */
  coverage: CoverageEntry[];
  /** True when the repository borrows objects from elsewhere (objects/info/alternates): those are not read. */
  alternates: boolean;
  /** Loose object files seen (the rest were past `maxObjects`). */
  looseObjects: number;
  remove(): Promise<void>;
}

/** Files of a repository copied into the shadow: a ref (or HEAD) is one line; packed-refs and shallow list many. */
const MAX_REF_FILE = 4096;
const MAX_LIST_FILE = 64 * 1024 * 1024;
const HEX_DIR = /^[0-9a-f]{2}$/;
const LOOSE = /^[0-9a-f]{38}(?:[0-9a-f]{24})?$/;
const PACK_FILE = /^pack-[0-9a-f]{40,64}\.(?:pack|idx|rev)$/;

/** Is `name` (relative to a git directory, '/'-separated) one of the object store's files that git reads for custody? */
export function isObjectStoreFile(relative: string): boolean {
  const [top, dir, file, more] = relative.split('/');
  if (top !== 'objects' || file === undefined || more !== undefined) return false;
  return (HEX_DIR.test(dir!) && LOOSE.test(file)) || (dir === 'pack' && /^pack-[0-9a-f]{40,64}\.(?:pack|idx|rev|bitmap|mtimes|keep|promisor)$/.test(file));
}

/**
 * Builds the shadow of the git directory at `gitDir` (a path on disk), located as `location` in coverage.
 * Throws when the repository's layout cannot be read at all.
 */
export async function shadowOf(gitDir: string, location: string, maxObjects: number): Promise<Shadow> {
  const source = path.resolve(gitDir);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-git-'));
  const shadow: Shadow = { dir, coverage: [], alternates: false, looseObjects: 0, remove: () => rm(dir, { recursive: true, force: true }) };
  try {
    await writeFile(path.join(dir, 'HEAD'), headOf(await smallFile(path.join(source, 'HEAD'))));
    await copyTree(path.join(source, 'refs'), path.join(dir, 'refs'), maxObjects);
    for (const name of ['packed-refs', 'shallow']) {
      const text = await smallFile(path.join(source, name), MAX_LIST_FILE);
      if (text !== undefined) await writeFile(path.join(dir, name), text);
    }
    await copyObjects(source, dir, location, maxObjects, shadow);
    await writeFile(path.join(dir, 'config'), configFor(undefined));
    // git parses a copy of the repository's config as a file of settings here (no include is
    // followed) for the one setting it needs; the copy, so that git never opens the audited file.
    const config = await smallFile(path.join(source, 'config'));
    let format = '';
    if (config !== undefined) {
      await writeFile(path.join(dir, 'repository-config'), config, { mode: 0o600 });
      format = await gitOutput(dir, ['config', '--file', path.join(dir, 'repository-config'), '--get', 'extensions.objectformat']).catch(() => '');
    }
    if (format.trim()) await writeFile(path.join(dir, 'config'), configFor(format.trim()));
    return shadow;
  } catch (error) {
    await shadow.remove();
    throw error;
  }
}

/** custody's own config for the shadow: a bare repository, with the repository's object format when it is not SHA-1. */
function configFor(objectFormat: string | undefined): string {
  if (!objectFormat || !/^[a-z0-9]+$/.test(objectFormat)) return '[core]\n\trepositoryformatversion = 0\n\tbare = true\n';
  return `[core]\n\trepositoryformatversion = 1\n\tbare = true\n[extensions]\n\tobjectformat = ${objectFormat}\n`;
}

/** The repository's HEAD if it is a ref or an object id; else an unborn branch (git needs a HEAD to see a repository). */
function headOf(text: string | undefined): string {
  const line = text?.split('\n')[0]?.trim() ?? '';
  return /^ref: refs\/[!-~]+$/.test(line) || /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(line) ? `${line}\n` : 'ref: refs/heads/custody-no-head\n';
}

/** A regular file's text, or undefined when it is absent, not a regular file (a symlink is not followed) or too large. */
async function smallFile(file: string, max = MAX_REF_FILE): Promise<string | undefined> {
  const stats = await lstat(file).catch(() => undefined);
  if (!stats?.isFile() || stats.size > max) return undefined;
  return readEvidenceText(file);
}

/** Copies the regular files of a refs tree (no symlink followed), at most `budget` of them. */
async function copyTree(from: string, to: string, budget: number): Promise<number> {
  await mkdir(to, { recursive: true });
  // Below the top, entries' types come from the listing (a symlink is never a directory there); the top is checked here.
  if (!(await lstat(from).catch(() => undefined))?.isDirectory()) return budget;
  const entries = await readdir(from, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (budget <= 0) break;
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) budget = await copyTree(source, target, budget);
    else if (entry.isFile()) {
      const text = await smallFile(source);
      if (text !== undefined) await writeFile(target, text);
      budget--;
    }
  }
  return budget;
}

/**
 * Copies the loose objects and packs (regular files only) into the shadow's object directory,
 * through custody's own read-only O_NOATIME descriptors: git reading them in the audited tree (even
 * through a symlink) would move their access times. The copy costs the object store's size in the
 * temporary directory, for as long as the repository is read.
 */
async function copyObjects(source: string, dir: string, location: string, maxObjects: number, shadow: Shadow): Promise<void> {
  const objects = path.join(source, 'objects');
  const info = await lstat(objects);
  if (!info.isDirectory()) throw new Error('objects is not a directory');
  await mkdir(path.join(dir, 'objects', 'pack'), { recursive: true });
  shadow.alternates = (await lstat(path.join(objects, 'info', 'alternates')).catch(() => undefined)) !== undefined;
  const skipped = (name: string) =>
    shadow.coverage.push({
      location: `${location}/objects/${name}`,
      reason: 'symlink',
      detail: 'an object file that is a symbolic link is not followed',
      incomplete: false,
    });
  for (const top of (await readdir(objects, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const isPack = top.name === 'pack';
    if (!(isPack || HEX_DIR.test(top.name))) continue;
    if (!top.isDirectory()) {
      if (top.isSymbolicLink()) skipped(top.name);
      continue;
    }
    const target = path.join(dir, 'objects', top.name);
    if (!isPack) await mkdir(target, { recursive: true });
    const files = (await readdir(path.join(objects, top.name), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const file of files) {
      if (!(isPack ? PACK_FILE : LOOSE).test(file.name)) continue;
      if (!file.isFile()) {
        if (file.isSymbolicLink()) skipped(`${top.name}/${file.name}`);
        continue;
      }
      if (!isPack && ++shadow.looseObjects > maxObjects) continue;
      await copyEvidenceFile(path.join(objects, top.name, file.name), path.join(target, file.name));
    }
    // git reads a pack only through its index: a pack whose .idx is missing is data nobody reads.
    if (isPack) {
      const regular = new Set(files.filter((file) => file.isFile() && PACK_FILE.test(file.name)).map((file) => file.name));
      for (const name of regular) {
        if (!name.endsWith('.pack') || regular.has(name.replace(/\.pack$/, '.idx'))) continue;
        shadow.coverage.push({
          location: `${location}/objects/pack/${name}`,
          reason: 'git-unreadable',
          detail: 'a pack without its index (.idx): git cannot list or read its objects, which are not inspected',
          incomplete: true,
        });
      }
    }
  }
}
