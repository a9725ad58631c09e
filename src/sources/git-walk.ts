import path from 'node:path';
import { pointerOutside } from './git-repository.js';
import { isObjectStoreFile } from './git-shadow.js';
import { gitHistoryEvents } from './git-source.js';
import type { SourceEvent } from './item.js';

/**
 * What the filesystem walk does with git repositories. Loose objects are zlib streams and packs are
 * deltas: walked as plain files, agency data in a repository's history would be "inspected" and
 * never seen. So a git directory met by the walk (a `.git` directory, a bare repository, a
 * submodule's directory under `.git/modules`) has its history audited through git, and its object
 * store's files are left out of the plain walk; every other file in it (config, logs, anything
 * planted there) is still walked as a file. A `.git` file pointing out of the audited root is never
 * followed: it is recorded in coverage. One instance serves one walk of one root.
 */
export class GitDirectories {
  /** Git directories met so far, relative to the root ('' for the root itself). */
  private readonly entered: string[] = [];

  constructor(private readonly root: Buffer) {}

  /** The history of the git directory at `relative` (on disk at `disk`), located as `location`. */
  async *enter(relative: string, disk: Buffer, location: string): AsyncGenerator<SourceEvent> {
    this.entered.push(relative);
    const text = disk.toString();
    if (!Buffer.from(text).equals(disk)) {
      // git is given a path as text: one that is not valid UTF-8 could not be passed on faithfully.
      return yield {
        kind: 'coverage',
        entry: { location, reason: 'git-unreadable', detail: 'the path of the git directory is not valid UTF-8', incomplete: true },
      };
    }
    yield* gitHistoryEvents(text, location);
  }

  /** True when `relative` is one of the object store's files of a git directory met: git reads those. */
  holdsObject(relative: string): boolean {
    for (const dir of this.entered) {
      if (dir === '' ? isObjectStoreFile(relative) : relative.startsWith(`${dir}/`) && isObjectStoreFile(relative.slice(dir.length + 1))) return true;
    }
    return false;
  }

  /** A `.git` file (a work tree's or a submodule's pointer to its git directory): coverage when it points out of the root. */
  async *pointer(disk: Buffer, location: string): AsyncGenerator<SourceEvent> {
    const root = path.resolve(this.root.toString());
    const outside = await pointerOutside(disk.toString(), root);
    if (outside === undefined) return;
    // Named from the root, so that the report does not depend on where this machine keeps the tree.
    const detail = `points to ${path.relative(root, outside).split(path.sep).join('/')} (from the root), outside the audited root: that history is not read (audit it with --git, or audit the directory holding it)`;
    yield { kind: 'coverage', entry: { location, reason: 'git-outside-roots', detail, incomplete: false } };
  }
}
