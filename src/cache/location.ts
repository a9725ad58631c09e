import { realpath } from 'node:fs/promises';
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

/**
 * The audited root that `dir` lies in (or is), comparing real paths, so a symbolic link into the
 * tree is caught as well as a plain subfolder. `dir` need not exist yet.
 */
export async function rootHolding(dir: string, roots: readonly string[]): Promise<string | undefined> {
  const real = await realPathOf(path.resolve(dir));
  for (const root of roots) {
    const realRoot = await realPathOf(path.resolve(root));
    const relative = path.relative(realRoot, real);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return root;
  }
  return undefined;
}

/** realpath of the longest existing prefix, with the rest appended as written. */
async function realPathOf(absolute: string): Promise<string> {
  const rest: string[] = [];
  let at = absolute;
  for (;;) {
    try {
      return path.join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return absolute;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}
