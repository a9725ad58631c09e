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
  /** URI of the outermost file (the archive for members). */
  uri: string;
  /** Path inside the outermost archive, `!/`-separated for nested archives. */
  member?: string;
}

/** Splits `outer.zip!/a/inner.tar!/x.jpg` into the outer file and the member path within it. */
export function sarifTarget(location: string): SarifTarget {
  const at = location.indexOf(MEMBER);
  if (at < 0) return { uri: locationUri(location) };
  return { uri: locationUri(location.slice(0, at)), member: location.slice(at + MEMBER.length) };
}
