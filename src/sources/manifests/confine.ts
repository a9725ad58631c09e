import { realpath } from 'node:fs/promises';
import { isInside } from '../../util/paths.js';
import type { SourceEvent } from '../item.js';
import { coverage } from './events.js';

/**
 * A manifest names files by path (inventory data files, bag manifests and tag files). Those are
 * read only when their real path lies inside the real folder the manifest may use, so a key of
 * `etc/passwd`, `../../x`, `/etc/shadow` or a symbolic link leading out never makes custody read
 * this machine's files. A path that does not resolve (missing) is left to the caller's own read.
 */
export async function leadsOutside(realDir: string, file: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return false;
  }
  return !isInside(real, realDir);
}

/** The real path of a folder, or the folder as given when it cannot be resolved. */
export async function realFolder(dir: string): Promise<string> {
  return realpath(dir).catch(() => dir);
}

/** Coverage for a reference refused because it leads outside: incomplete, naming the reference. */
export function outsideCoverage(reference: string, detail: string): SourceEvent {
  return coverage({ location: reference, reason: 'manifest-reference-outside', detail, incomplete: true });
}
