import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { appendFile, mkdir, mkdtemp, stat, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/audit.js';
import { builtinPolicy } from '../../src/policy/builtin.js';
import { loadFingerprints } from '../../src/references/load.js';
import type { Report } from '../../src/report/model.js';
import { fileContent } from '../../src/sources/file-content.js';
import type { SourceEvent } from '../../src/sources/item.js';
import { SOURCES } from '../../src/sources/registry.js';
import { removeTree } from '../support/hostile-corpus.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';

/**
 * Files that change between the walk and the read. The race is made deterministic by splitting it:
 * each victim is stat'ed exactly as the walker does, then changed, and only then handed to the audit
 * as an item carrying the walk-time size and the walker's own content source (`fileContent`). The
 * audit's source registry is the seam: the filesystem source is swapped for one yielding those items.
 */
let base: string;
let agency: Agency;
let tree: string;

type Change = (file: string) => Promise<void>;
const CHANGES: Record<string, Change> = {
  vanished: (file) => unlink(file),
  shrunk: (file) => truncate(file, 100),
  grown: (file) => appendFile(file, Buffer.alloc(4096, 7)),
  'replaced-by-other-content': (file) => writeFile(file, Buffer.alloc(fs.statSync(file).size, 1)),
};

async function auditWithChanges(changes: Record<string, Change>): Promise<Report> {
  const victims: { location: string; file: string; size: number; mtime: Date; mode: number }[] = [];
  for (const name of Object.keys(changes)) {
    const file = path.join(tree, `${name}.jpg`);
    await writeFile(file, agency.images[0]!);
    const stats = await stat(file);
    victims.push({ location: `changing/${name}.jpg`, file, size: stats.size, mtime: stats.mtime, mode: stats.mode & 0o7777 });
  }
  async function* changedAfterWalk(): AsyncGenerator<SourceEvent> {
    for (const victim of victims) {
      await changes[path.basename(victim.file, '.jpg')]!(victim.file);
      yield {
        kind: 'item',
        item: {
          location: victim.location,
          origin: 'filesystem',
          size: victim.size,
          mtime: victim.mtime,
          mode: victim.mode,
          content: fileContent(victim.file, victim.size),
        },
      };
    }
  }
  return runAudit({
    inputs: [{ source: 'filesystem', roots: [tree] }],
    sources: { ...SOURCES, filesystem: { ...SOURCES.filesystem, events: () => changedAfterWalk() } },
    policy: builtinPolicy([], base),
    fingerprints: await loadFingerprints([agency.fingerprintFile]),
    plateKey: Buffer.from(PLATE_KEY),
    concurrency: 1,
  });
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-changing-'));
  agency = await buildAgency(base);
  tree = path.join(base, 'tree');
  await mkdir(tree);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('files that change between walk and read', () => {
  it('vanished, shrunk, grown or rewritten files are never reported as agency copies, and mark the scan incomplete', async () => {
    const report = await auditWithChanges(CHANGES);
    const byLocation = new Map(report.coverage.map((c) => [c.location, c]));
    for (const name of ['vanished', 'shrunk', 'grown']) {
      const entry = byLocation.get(`changing/${name}.jpg`);
      expect(entry, name).toBeDefined();
      expect(entry!.incomplete, name).toBe(true);
      expect(['changed-during-scan', 'unreadable'], name).toContain(entry!.reason);
    }
    expect(report.assets.map((a) => a.location)).toEqual([]);
    expect(report.summary.filesSeen).toBe(report.summary.filesInspected + report.summary.filesSkipped);
    expect(report.summary.incomplete).toBe(true);
  }, 60_000);

  // Files are reopened with O_NOFOLLOW and checked against the walked inode, so a file swapped for a
  // symlink after the walk is never read through the link (out of the tree).
  it('a file swapped for a symlink out of the tree after the walk is not read through the link', async () => {
    const outsideCopy = path.join(base, 'outside-copy.jpg');
    await writeFile(outsideCopy, agency.images[0]!);
    const report = await auditWithChanges({
      'swapped-for-symlink': async (file) => {
        await unlink(file);
        await symlink(outsideCopy, file);
      },
    });
    const read = report.assets.find((a) => a.location === 'changing/swapped-for-symlink.jpg');
    console.log(
      `hostile: file swapped for a symlink after the walk: ${read ? `read through the link, reported as ${read.method} copy of ${read.reference}` : 'not read'}`,
    );
    expect(read).toBeUndefined();
  }, 60_000);

  // Files are opened with O_NONBLOCK and must still be regular files: a file swapped for a FIFO after
  // the walk cannot block the open (which would hold a libuv thread forever).
  it('a file swapped for a FIFO after the walk does not hang the audit', async () => {
    let fifo = '';
    const audit = auditWithChanges({
      'swapped-for-fifo': async (file) => {
        await unlink(file);
        execFileSync('mkfifo', [file]);
        fifo = file;
      },
    });
    const timer = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 5_000));
    const outcome = await Promise.race([
      audit.then(
        () => 'done' as const,
        (error: unknown) => `rejected: ${String(error)}`,
      ),
      timer,
    ]);
    console.log(`hostile: file swapped for a FIFO after the walk: ${outcome}`);
    if (outcome === 'hang' && fifo) {
      // Release the blocked open (a writer appears and leaves) so the worker can exit.
      const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.closeSync(fd);
      await audit.catch(() => undefined);
    }
    expect(outcome).toBe('done');
  }, 60_000);
});
