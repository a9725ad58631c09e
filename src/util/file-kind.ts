/** What `fs.Stats`, `fs.Dirent` and their bigint forms share for telling file types apart. */
export interface FileTypeTests {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

/**
 * What a file that is not a regular file is, in the words messages and coverage use ("FIFO",
 * "character device"); undefined for anything else (a regular file, a link).
 */
export function specialKind(entry: FileTypeTests): string | undefined {
  if (entry.isDirectory()) return 'directory';
  if (entry.isFIFO()) return 'FIFO';
  if (entry.isSocket()) return 'socket';
  if (entry.isBlockDevice()) return 'block device';
  if (entry.isCharacterDevice()) return 'character device';
  return undefined;
}
