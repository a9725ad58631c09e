export { expandArchive, isArchive } from './expand.js';
export { ARCHIVE_DEFAULTS, resolveArchiveOptions, type ArchiveOptions, type ResolvedArchiveOptions } from './options.js';
export { ArchiveLimitError, CorruptMemberError } from './errors.js';
