import path from 'node:path';

/**
 * The default cache directory: `$XDG_CACHE_HOME/custody`, else `$HOME/.cache/custody` (relative
 * values are ignored, as the XDG spec says). Undefined when the environment names neither: there is
 * then no per-user place to keep a cache, and the audit runs without one.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'custody');
  const home = env['HOME'];
  if (home && path.isAbsolute(home)) return path.join(home, '.cache', 'custody');
  return undefined;
}

// Whether a cache directory lies inside an audited tree is decided by the write guard that checks
// every file custody writes (src/util/safe-write.ts).
