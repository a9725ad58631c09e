import picomatch from 'picomatch';

/** Where a container's inside begins: `!/` for an archive member, `!<object id>` for a git history object. */
const INSIDE = /!(?:\/|[0-9a-f]{40}(?:[0-9a-f]{24})?(?::|$|!))/;

/**
 * The location an authorisation decision is made on: an archive member is where its outermost
 * archive is (`backups/x.zip!/a.jpg` is in `backups/`), whatever the member's own path says, and an
 * object of a git repository's history is where the repository is (`src/.git!<commit>:a.jpg` is in
 * `src/.git`): history is kept where its repository is kept.
 */
export function containerOf(location: string): string {
  const inside = INSIDE.exec(location);
  return inside ? location.slice(0, inside.index) : location;
}

const URI = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i;

/**
 * Compiles location globs into one predicate. Path globs match locations relative to the scan root;
 * URI globs (`s3://bucket/prefix/**`) match cloud objects: scheme and bucket literally, the rest as a
 * glob. A path glob never matches a cloud object and vice versa.
 */
export function locationMatcher(globs: readonly string[]): (location: string) => boolean {
  const matchers = globs.map(compile);
  return (location) => {
    const target = containerOf(location);
    return matchers.some((match) => match(target));
  };
}

function compile(glob: string): (location: string) => boolean {
  const uri = URI.exec(glob);
  if (!uri) {
    const match = picomatch(glob.replace(/^\.\//, ''), { dot: true });
    return (location) => !URI.test(location) && match(location);
  }
  const [, scheme, bucket, rest] = uri;
  const prefix = `${scheme!.toLowerCase()}://${bucket}/`;
  const match = picomatch(rest || '**', { dot: true });
  return (location) => {
    if (!location.toLowerCase().startsWith(`${scheme!.toLowerCase()}://`)) return false;
    const lowered = `${scheme!.toLowerCase()}${location.slice(scheme!.length)}`;
    return lowered.startsWith(prefix) && match(lowered.slice(prefix.length));
  };
}
