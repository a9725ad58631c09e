import { filesFromSource } from './files-from.js';
import { gitSource } from './git-repository.js';
import type { Knowledge, Notice, SourceEvent } from './item.js';
import { manifestSource } from './manifests/source.js';
import { isPatternWarning } from './path-filter.js';
import { filesystemSource } from './roots.js';
import { hasGroups, type Source } from './source.js';

/**
 * Every kind of input an audit reads, by id. A new source is one file holding a {@link Source} plus
 * one line here (and its flag in the CLI); the audit, the evaluation and the report need no change.
 */
export const SOURCES = {
  filesystem: filesystemSource,
  manifest: manifestSource,
  'files-from': filesFromSource,
  git: gitSource,
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
 * its source can know (`Item.known`), which is all evaluation asks of it. A pattern (`--include`,
 * `--exclude`) is reported as matching nothing only when it matched nothing in every input it
 * applied to.
 */
export async function* sourceEvents(inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): AsyncGenerator<SourceEvent> {
  for await (const group of sourceGroups(inputs, registry)) yield* group;
}

/**
 * The events of {@link sourceEvents}, in the same order, in groups: as a source groups them (a
 * directory's files), or one by one from a source that does not. What the audit consumes.
 */
export async function* sourceGroups(inputs: readonly SourceInput[], registry: SourceRegistry = SOURCES): AsyncGenerator<readonly SourceEvent[]> {
  const filtered = inputs.filter((input) => 'include' in input || 'exclude' in input).length;
  const unmatched = new Map<string, { notice: Notice; inputs: number }>();
  /** The group as the audit takes it: items stamped, and pattern warnings held until every input was read. */
  const admit = (group: readonly SourceEvent[], knowledge: Knowledge): readonly SourceEvent[] => {
    let held = false;
    for (const event of group) {
      if (event.kind === 'item') event.item.known = knowledge;
      else if (event.kind === 'notice' && filtered > 1 && isPatternWarning(event.notice)) {
        const seen = unmatched.get(event.notice.message);
        unmatched.set(event.notice.message, { notice: event.notice, inputs: (seen?.inputs ?? 0) + 1 });
        held = true;
      }
    }
    return held ? group.filter((event) => !(event.kind === 'notice' && isPatternWarning(event.notice))) : group;
  };
  for (const input of inputs) {
    const source = sourceFor(input, registry);
    const events = source.events(input);
    if (hasGroups(events)) {
      for await (const group of events.groups()) yield admit(group, source.knowledge);
    } else {
      for await (const event of events) yield admit([event], source.knowledge);
    }
  }
  const last: SourceEvent[] = [];
  for (const { notice, inputs: count } of unmatched.values()) if (count === filtered) last.push({ kind: 'notice', notice });
  if (last.length > 0) yield last;
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
