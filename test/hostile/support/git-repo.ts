import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasTool } from '../../support/tools.js';

/** Whether Debian's git is installed here; tests that need it skip with a plain message where it is not. */
export const hasGit = hasTool('git', ['--version'], 'git history tests: the git binary is absent (apt-get install git), so they are skipped');

/** A repository built for a test: fixed identities and dates, so commit ids are the same on every run. */
export class TestRepo {
  private tick = 0;

  constructor(readonly dir: string) {}

  static async init(dir: string, options: { bare?: boolean; sha256?: boolean } = {}): Promise<TestRepo> {
    await mkdir(dir, { recursive: true });
    const repo = new TestRepo(dir);
    repo.git(['init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []), ...(options.sha256 ? ['--object-format=sha256'] : [])]);
    return repo;
  }

  /** Runs git in the repository with no user or system config, and returns its output. */
  git(args: readonly string[], input?: Buffer | string): string {
    this.tick++;
    const date = `${1_700_000_000 + this.tick * 60} +0000`;
    return execFileSync('git', args, {
      cwd: this.dir,
      input,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: {
        PATH: process.env.PATH,
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Contractor',
        GIT_AUTHOR_EMAIL: 'dev@contractor.example',
        GIT_COMMITTER_NAME: 'Contractor',
        GIT_COMMITTER_EMAIL: 'dev@contractor.example',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  /** Writes the files (a null deletes one), stages everything and commits; returns the commit id. */
  async commit(message: string, files: Record<string, Buffer | string | null>): Promise<string> {
    for (const [name, data] of Object.entries(files)) {
      const file = path.join(this.dir, ...name.split('/'));
      if (data === null) await rm(file, { force: true });
      else {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, data);
      }
    }
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message]);
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Stores `data` as a loose blob no commit reaches (a dangling object); returns its id. */
  dangling(data: Buffer | string): string {
    return this.git(['hash-object', '-w', '--stdin'], data);
  }

  /** Packs every reachable object (loose unreachable ones stay loose), as `git gc` would. */
  pack(): void {
    this.git(['repack', '-a', '-d', '-q']);
  }
}
