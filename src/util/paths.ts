import path from 'node:path';

/** True when `child` is `parent` or below it. A name that merely starts with `..` is below. */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/**
 * A path relative to the working directory when it lies inside it (`.` for the directory itself),
 * else as given: how the user most likely typed it, and shorter for the kernel to resolve.
 */
export function fromWorkingDirectory(file: string): string {
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    return file; // The working directory was deleted: only the path as given can still work.
  }
  const absolute = path.resolve(cwd, file);
  return isInside(absolute, cwd) ? path.relative(cwd, absolute) || '.' : file;
}
