import { filesFromSource } from './files-from.js';
import type { SourceEvent } from './item.js';
import { manifestSource } from './manifests/source.js';
import { filesystemSource } from './roots.js';
import type { Source } from './source.js';

/**
 * Every kind of input an audit reads, by id. A new source is one file holding a {@link Source} plus
 * one line here (and its flag in the CLI); the audit, the evaluation and the report need no change.
 */
export const SOURCES = {
  filesystem: filesystemSource,
  manifest: manifestSource,
  'files-from': filesFromSource,
} as const;

/** The sources an audit resolves its inputs in: {@link SOURCES}, or a test's variant of it. */
export type SourceRegistry = { readonly [K in keyof typeof SOURCES]: (typeof SOURCES)[K] };

/** One input of an audit, as plain data: `{ source: 'filesystem', roots }`, `{ source: 'manifest', path }`. */
export type SourceInput = { [K in keyof typeof SOURCES]: Parameters<(typeof SOURCES)[K]['events']>[0] }[keyof typeof SOURCES];

/** The source that reads `input`, typed for it. */
export function sourceFor(input: SourceInput, registry: SourceRegistry = SOURCES): Source<SourceInput> {
  return registry[input.source] as unknown as Source<SourceInput>;
}

/**
 * Every input's events, one input after another in the order given. Each item is stamped with what
 * its source can know (`Item.known`), which is all evaluation asks of it. A file on disk that an
 * earlier input already yielded (a listed file under a walked root) is audited once, with a notice.
 */
export async function* sourceEvents(inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): AsyncGenerator<SourceEvent> {
  // Only several inputs that read the disk can meet a file twice (the walk of the roots meets each
  // entry once), so only then is every file's inode kept.
  const onDisk = inputs.filter((input) => sourceFor(input, registry).cacheScope !== undefined).length;
  const seen = onDisk > 1 ? new Map<string, number>() : undefined;
  for (const [index, input] of inputs.entries()) {
    const source = sourceFor(input, registry);
    let again = 0;
    for await (const event of source.events(input)) {
      if (event.kind === 'item') {
        const stat = event.item.stat;
        const inode = seen && stat ? `${stat.dev}:${stat.ino}` : undefined;
        const first = inode === undefined ? index : (seen!.get(inode) ?? index);
        if (first !== index) {
          again++;
          continue;
        }
        if (inode !== undefined) seen!.set(inode, index);
        event.item.known = source.knowledge;
      }
      yield event;
    }
    if (again > 0) {
      const message = `${again} file${again === 1 ? ' was' : 's were'} already audited under an earlier input: audited once`;
      yield { kind: 'notice', notice: { location: source.names(input).join(', '), level: 'info', message } };
    }
  }
}

/** Up-front checks of every input (usage errors before any scanning). */
export async function checkInputs(inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): Promise<void> {
  for (const input of inputs) await sourceFor(input, registry).check?.(input);
}

/** The entries all inputs will meet, or undefined when a source cannot say (manifests). */
export async function estimateInputs(inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): Promise<number | undefined> {
  const sources = inputs.map((input) => sourceFor(input, registry));
  if (sources.length === 0 || sources.some((s) => !s.estimate)) return undefined;
  let total = 0;
  for (const [i, input] of inputs.entries()) total += await sources[i]!.estimate!(input);
  return total;
}

/** The inputs as a report names them by default. */
export const inputNames = (inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): string[] =>
  inputs.flatMap((input) => sourceFor(input, registry).names(input));

/** What scopes the re-audit cache: the paths on disk the inputs read. */
export const cacheScope = (inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): string[] =>
  inputs.flatMap((input) => sourceFor(input, registry).cacheScope?.(input) ?? []);
