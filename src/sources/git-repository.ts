import type { Dirent } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../util/errors.js';
import { readEvidenceText } from '../util/evidence-file.js';
import { isInside } from '../util/paths.js';
import { GIT_KNOWLEDGE, type GitLimits, gitHistoryEvents } from './git-source.js';
import type { SourceEvent } from './item.js';
import type { Source } from './source.js';

/** A git repository whose history is audited (`custody audit --git <repo>`): a work tree, or a git directory. */
export interface GitInput {
  source: 'git';
  /** As the user named it; a relative path is taken from `cwd`. */
  repo: string;
  cwd?: string;
  limits?: GitLimits;
  /** Real paths of the roots the same audit walks: a repository under one of them is audited by the walk, once. */
  walked?: readonly string[];
}

/** True when a directory's entries are those of a git directory: a HEAD file, an objects and a refs directory. */
export function isGitDirectory(entries: readonly Pick<Dirent<Buffer | string>, 'name' | 'isFile' | 'isDirectory'>[]): boolean {
  const has = (name: string, kind: 'isFile' | 'isDirectory') => entries.some((e) => e.name.toString() === name && e[kind]());
  return has('HEAD', 'isFile') && has('objects', 'isDirectory') && has('refs', 'isDirectory');
}

/** The git directory a `.git` file points to (`gitdir: <path>`, relative to the file's directory), or undefined. */
export async function gitFileTarget(file: string): Promise<string | undefined> {
  const stats = await lstat(file).catch(() => undefined);
  if (!stats?.isFile() || stats.size > 4096) return undefined;
  const match = /^gitdir: (.+?)\r?\n?$/m.exec(await readEvidenceText(file));
  return match ? path.resolve(path.dirname(file), match[1]!) : undefined;
}

/** A `.git` file met by the walk of `root`: where it points when that lies outside the root (never followed then). */
export async function pointerOutside(file: string, root: string): Promise<string | undefined> {
  const target = await gitFileTarget(file);
  return target !== undefined && !isInside(target, path.resolve(root)) ? target : undefined;
}

/** The git directory of `repo`: itself, its `.git` directory, or where its `.git` file points (the user named this repository). */
async function gitDirectoryOf(repo: string): Promise<string | undefined> {
  const dotGit = path.join(repo, '.git');
  const info = await lstat(dotGit).catch(() => undefined);
  const candidate = info?.isDirectory() ? dotGit : info?.isFile() ? await gitFileTarget(dotGit) : repo;
  if (!candidate) return undefined;
  const [head, objects, refs] = await Promise.all(['HEAD', 'objects', 'refs'].map((name) => stat(path.join(candidate, name)).catch(() => undefined)));
  return head?.isFile() && objects?.isDirectory() && refs?.isDirectory() ? candidate : undefined;
}

/** The git directory as reports name it: from the directory the user's paths are taken from when inside it, as typed. */
function locationOf(gitDir: string, cwd: string | undefined): string {
  const from = cwd ?? process.cwd();
  return (isInside(gitDir, from) ? path.relative(from, gitDir) || '.' : gitDir).split(path.sep).join('/');
}

const absolute = (input: GitInput): string => path.resolve(input.cwd ?? process.cwd(), input.repo);

/** The history of one repository as a source: every blob once (src/sources/git-source.ts). */
export const gitSource: Source<GitInput> = {
  id: 'git',
  knowledge: GIT_KNOWLEDGE,
  locations: '`<git dir>!<commit>:<path>` for a blob a commit reachable from a ref wrote, `<git dir>!<blob id>` for one no ref reaches',
  async check(input) {
    if (!(await gitDirectoryOf(absolute(input)))) throw new UsageError(`cannot audit the history of ${input.repo}: not a git repository`);
  },
  async *events(input): AsyncGenerator<SourceEvent> {
    const gitDir = await gitDirectoryOf(absolute(input));
    const location = locationOf(gitDir ?? absolute(input), input.cwd);
    if (!gitDir) return yield { kind: 'coverage', entry: { location, reason: 'git-unreadable', detail: 'not a git repository', incomplete: true } };
    const real = await realpath(gitDir).catch(() => gitDir);
    if (input.walked?.some((root) => isInside(real, root))) {
      const message = `the history of ${input.repo} is audited by the walk of the directory holding it, once`;
      return yield { kind: 'notice', notice: { location, level: 'info', message } };
    }
    yield* gitHistoryEvents(gitDir, location, input.limits);
  },
  names: (input) => [input.repo],
};
