import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../src/cli/io.js';

/** The repository root (tests read policies/ and scripts/ from it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when running as root, where permission bits do not stop reads (tests then assert weaker properties). */
export const IS_ROOT = process.getuid?.() === 0;

/** A fresh temporary directory; `cleanup` removes it (restoring modes first so rm can enter everything). */
export async function tempDir(prefix = 'custody-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** One file of a tree to write: content, and optionally its mode and age. */
export interface TreeFile {
  data: string | Buffer;
  mode?: number;
  /** Sets atime and mtime. */
  mtime?: Date;
}

/** Writes files under `root`, creating directories; keys are '/'-separated relative paths. */
export async function writeTree(root: string, files: Record<string, string | Buffer | TreeFile>): Promise<void> {
  for (const [relative, spec] of Object.entries(files)) {
    const file: TreeFile = typeof spec === 'string' || Buffer.isBuffer(spec) ? { data: spec } : spec;
    const target = path.join(root, ...relative.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.data);
    if (file.mode !== undefined) await chmod(target, file.mode);
    if (file.mtime) await utimes(target, file.mtime, file.mtime);
  }
}

/** An in-memory Io for run(): captures stdout and stderr. */
export function captureIo(cwd: string, env: Record<string, string | undefined> = {}): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env: { NO_COLOR: '1', ...env },
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** Deterministic pseudo-random bytes (tests want distinct contents without fixtures on disk). */
export function bytesOf(label: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let state = 2166136261;
  for (const ch of label) state = Math.imul(state ^ ch.charCodeAt(0), 16777619);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/**
 * Builds, under `parent`, a directory `name` holding a chain of nested directories whose full path
 * exceeds PATH_MAX (4096), with a file at the bottom. readdir on the deepest level fails with
 * ENAMETOOLONG even for root, which makes it the one reliable "unreadable directory" when tests run
 * as root (chmod 000 does not stop root). Each step is a rename of a short path, so building it
 * never needs a long path. `undo` flattens it again so it can be deleted.
 */
export async function overlongTree(parent: string, name: string): Promise<{ root: string; undo: () => Promise<void> }> {
  const { rename } = await import('node:fs/promises');
  const levels = 24;
  const part = (i: number) => `level${i}`.padEnd(200, '_');
  const work = path.join(parent, `.${name}-build`);
  await mkdir(work);
  await mkdir(path.join(work, part(0)));
  await writeFile(path.join(work, part(0), 'deep.bin'), 'too deep to read');
  for (let i = 1; i < levels; i++) {
    await mkdir(path.join(work, part(i)));
    await rename(path.join(work, part(i - 1)), path.join(work, part(i), part(i - 1)));
  }
  const root = path.join(parent, name);
  await mkdir(root, { recursive: true });
  await rename(path.join(work, part(levels - 1)), path.join(root, part(levels - 1)));
  const undo = async () => {
    await rename(path.join(root, part(levels - 1)), path.join(work, part(levels - 1)));
    for (let i = levels - 1; i >= 1; i--) await rename(path.join(work, part(i), part(i - 1)), path.join(work, part(i - 1)));
    await rm(work, { recursive: true, force: true });
  };
  return { root, undo };
}
