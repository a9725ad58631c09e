export { ArchiveLimitError, CorruptMemberError } from './errors.js';
export { expandArchive, isArchive } from './expand.js';
export { ARCHIVE_DEFAULTS, type ArchiveOptions, type ResolvedArchiveOptions, resolveArchiveOptions } from './options.js';
