import { limitCoverage } from './archives/errors.js';
import { ARCHIVE_DEFAULTS, type ArchiveOptions } from './archives/options.js';
import { BlobReader, bufferedContent } from './git-blobs.js';
import { type Blob, headPaths, listBlobs, type Place, placesOf } from './git-history.js';
import { gitAvailable } from './git-run.js';
import { shadowOf } from './git-shadow.js';
import type { History, Item, Knowledge, SourceEvent } from './item.js';

/** Git history: blob bytes and commit times; no permission bits of its own (the repository's files on disk have those). */
export const GIT_KNOWLEDGE: Knowledge = { knows: ['content', 'dates'], mtimeIs: 'commit time' };

/** The walk's limits that apply to a repository's history: blobs (maxEntries), their bytes (maxTotalBytes), one blob held (maxMemberBufferBytes). */
export type GitLimits = Pick<ArchiveOptions, 'maxEntries' | 'maxTotalBytes' | 'maxMemberBufferBytes'>;

const coverage = (location: string, reason: string, detail: string, incomplete = true): SourceEvent => ({
  kind: 'coverage',
  entry: { location, reason, detail, incomplete },
});

/**
 * Every blob of the git repository whose git directory is `gitDir` (a path on disk), located under
 * `location` (the git directory as reports name it, `proj/.git`): each distinct blob once, in object
 * id order, reachable or not. A blob that a commit reachable from a ref wrote is named
 * `proj/.git!<commit>:<path>` (see `placesOf` for which one); one no ref reaches is named
 * `proj/.git!<blob id>`. Anything that cannot be read is coverage; git's absence too.
 */
export async function* gitHistoryEvents(gitDir: string, location: string, limits: GitLimits = {}): AsyncGenerator<SourceEvent> {
  const maxEntries = limits.maxEntries ?? ARCHIVE_DEFAULTS.maxEntries;
  const maxTotalBytes = limits.maxTotalBytes ?? ARCHIVE_DEFAULTS.maxTotalBytes;
  const maxBlob = limits.maxMemberBufferBytes ?? ARCHIVE_DEFAULTS.maxMemberBufferBytes;
  if (!(await gitAvailable())) {
    return yield coverage(location, 'missing-tool', 'git is not installed (apt-get install git): the history, loose objects and packs, was not inspected');
  }
  let shadow: Awaited<ReturnType<typeof shadowOf>>;
  try {
    shadow = await shadowOf(gitDir, location, maxEntries);
  } catch (error) {
    return yield coverage(location, 'git-unreadable', `the repository could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reader = new BlobReader(shadow.dir);
  try {
    for (const entry of shadow.coverage) yield { kind: 'coverage', entry };
    if (shadow.alternates) {
      yield coverage(location, 'git-outside-roots', 'objects/info/alternates: objects borrowed from another repository are not read here', false);
    }
    if (shadow.looseObjects > maxEntries) yield limitCoverage(location, 'maxEntries', maxEntries, `${shadow.looseObjects} loose objects`);
    const listed = await listBlobs(shadow.dir, maxEntries);
    if (listed.failure) yield coverage(location, 'git-unreadable', `not every object could be listed: ${listed.failure}`);
    for (const oid of listed.unreadable) {
      yield coverage(`${location}!${oid}`, 'git-unreadable', 'an object the indexes list but git cannot read (a truncated or corrupt pack, or a missing file)');
    }
    if (listed.truncated) yield limitCoverage(location, 'maxEntries', maxEntries, `more than ${maxEntries} blobs; the rest are not inspected`);
    const { places, failure } = await placesOf(shadow.dir, new Set(listed.blobs.map((b) => b.oid)));
    if (failure) {
      yield {
        kind: 'notice',
        notice: { location, level: 'warning', message: `the history could not be read to its end (${failure}): blobs it did not reach are named by their id` },
      };
    }
    const head = await headPaths(shadow.dir, maxEntries);
    let used = 0;
    for (const blob of listed.blobs) {
      const place = places.get(blob.oid);
      const at = place ? `${location}!${place.commit}:${place.path}` : `${location}!${blob.oid}`;
      if (blob.size > maxBlob) {
        yield limitCoverage(at, 'maxMemberBufferBytes', maxBlob, `a ${blob.size}-byte blob`);
        continue;
      }
      if (used + blob.size > maxTotalBytes) {
        yield limitCoverage(location, 'maxTotalBytes', maxTotalBytes, `${used} bytes of blobs read; the rest of the history is not inspected`);
        break;
      }
      used += blob.size;
      let bytes: Buffer;
      try {
        bytes = await reader.read(blob.oid, blob.size);
      } catch (error) {
        yield coverage(at, 'git-unreadable', error instanceof Error ? error.message : String(error));
        continue;
      }
      yield { kind: 'item', item: blobItem(at, blob, bytes, place, head) };
    }
  } finally {
    reader.close();
    await shadow.remove();
  }
}

function blobItem(location: string, blob: Blob, bytes: Buffer, place: Place | undefined, head: Awaited<ReturnType<typeof headPaths>>): Item {
  const history: History = { blob: blob.oid };
  if (place) {
    const there = head.paths.get(place.path);
    // Past the listing's cap, a path HEAD was not seen to hold is of unknown state, not absent.
    const atHead = there === blob.oid ? 'same' : there ? 'changed' : head.complete ? 'absent' : undefined;
    Object.assign(history, { commit: place.commit, path: place.path, ...(atHead ? { atHead } : {}), otherPlaces: place.others });
  }
  return {
    location,
    origin: 'git',
    size: blob.size,
    ...(place ? { mtime: new Date(place.time * 1000) } : {}),
    history,
    content: bufferedContent(bytes),
  };
}
