import path from 'node:path';

/** Separator between an archive and a member inside it, as in `outer.zip!/dir/file.jpg`. */
const MEMBER = '!/';
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Percent-encodes one path segment per RFC 3986, keeping only unreserved characters. Stricter
 * than `encodeURIComponent` (which keeps `!*'()` and, crucially for relative references, `:` in
 * a first segment would read as a scheme) so every name yields a URI the SARIF schema accepts.
 */
export function encodeSegment(segment: string): string {
  if (UNRESERVED.test(segment)) return segment;
  // Lone surrogates (possible in names decoded from raw bytes) would make encodeURIComponent throw;
  // they become U+FFFD, as any UTF-8 encoder would write them.
  return encodeURIComponent(segment.replace(LONE_SURROGATE, '\ufffd')).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
/** With the `u` flag, a surrogate class matches only unpaired halves. */
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

function encodePath(path: string): string {
  return path.split('/').map(encodeSegment).join('/');
}

/**
 * Turns a custody location into a URI: relative paths stay relative (percent-encoded), absolute
 * paths become `file://` URIs, cloud objects keep their scheme and bucket and get an encoded key.
 */
export function locationUri(location: string): string {
  const scheme = SCHEME.exec(location);
  if (scheme) {
    const rest = location.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    return `${scheme[1]!.toLowerCase()}://${encodeSegment(host)}/${encodePath(key)}`;
  }
  if (location.startsWith('/')) return `file://${encodePath(location)}`;
  return encodePath(location);
}

/** Where a finding points, split the way code-scanning UIs need it. */
export interface SarifTarget {
  /** The outermost file or object (the archive, for members), as the report names it. */
  outer: string;
  /** Path inside the outermost archive, `!/`-separated for nested archives. */
  member?: string;
}

/** Splits `outer.zip!/a/inner.tar!/x.jpg` into the outer file and the member path within it. */
export function sarifTarget(location: string): SarifTarget {
  const at = location.indexOf(MEMBER);
  if (at < 0) return { outer: location };
  return { outer: location.slice(0, at), member: location.slice(at + MEMBER.length) };
}

/** The base id every relative artifact URI names; `originalUriBaseIds` says where it is. */
export const SRCROOT = '%SRCROOT%';

/**
 * Where a SARIF log's URIs are relative to, and where the report's own locations are. Relative
 * locations in a report are under the single audited root (several roots, `--files-from` lists
 * and manifests name them from the working directory): GitHub code scanning needs them relative to
 * the repository checkout instead (`custody audit delivery/` must point at `delivery/x.jpg`).
 */
export interface SarifPaths {
  /** Absolute directory `%SRCROOT%` stands for: `--sarif-root`, by default the working directory. */
  root: string;
  /** Absolute directory the report's relative locations are under. */
  base: string;
  /** Absolute working directory the report's inputs were named from. */
  cwd: string;
}

/** A SARIF `artifactLocation`. */
export interface ArtifactLocation {
  uri: string;
  uriBaseId?: typeof SRCROOT;
}

/**
 * A path or cloud object (never an archive member: see sarifTarget) as an artifact location.
 * Cloud objects keep their absolute URI; paths inside the SARIF root become relative to
 * `%SRCROOT%` (`./` for the root itself: GitHub refuses an empty URI); paths outside it become
 * absolute `file://` URIs (outside the repository, code scanning cannot open them anyway).
 * Without `paths` (the library's default), relative locations are taken as relative to the root.
 */
export function artifactLocation(outer: string, paths: SarifPaths | undefined, from: 'base' | 'cwd' = 'base'): ArtifactLocation {
  if (SCHEME.test(outer)) return { uri: locationUri(outer) };
  if (!paths) return outer.startsWith('/') ? { uri: locationUri(outer) } : { uri: relativeUri(outer), uriBaseId: SRCROOT };
  const absolute = path.resolve(from === 'base' ? paths.base : paths.cwd, outer);
  const relative = path.relative(paths.root, absolute);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return { uri: locationUri(absolute.split(path.sep).join('/')) };
  return { uri: relativeUri(relative.split(path.sep).join('/')), uriBaseId: SRCROOT };
}

function relativeUri(relative: string): string {
  return relative === '' || relative === '.' ? './' : encodePath(relative);
}

/** `originalUriBaseIds` for a log whose root is known: a directory URI ends with a slash. */
export function originalUriBaseIds(paths: SarifPaths | undefined): Record<string, { uri: string }> | undefined {
  if (!paths) return undefined;
  const uri = locationUri(paths.root.split(path.sep).join('/'));
  return { [SRCROOT]: { uri: uri.endsWith('/') ? uri : `${uri}/` } };
}
