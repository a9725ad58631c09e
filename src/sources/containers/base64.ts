import { TailKeepingContent } from '../archives/appended.js';
import { BufferContent } from '../archives/content.js';
import { limitCoverage } from '../archives/errors.js';
import { admit, type Level, memberLocation, reportFailure, type Walk } from '../archives/walk.js';
import type { ContentSource, SourceEvent } from '../item.js';
import { SNIFF_BYTES, sniff } from '../sniff.js';
import { jsonRuns, type NamedRun } from './base64-json.js';
import { decodeRun, MIN_RUN_CHARS, type Run, RunScanner } from './base64-runs.js';

/** JSON up to this size is parsed to name its embedded files by path; larger JSON gets positional names. */
const JSON_NAMING_BYTES = 32 * 1024 * 1024;

/**
 * Files embedded as base64 in text (a data URI in HTML, a base64 string in JSON or JSON Lines, a run in
 * a log): each run of at least MIN_RUN_CHARS that starts like an image or archive is decoded and, when
 * its bytes sniff as one, yielded as a member of `level`, which the walk inspects and opens like any
 * other. The text itself stays an item the plate scanner reads; this runs after it, as a look for an
 * appended zip does. Names: JSON paths in JSON (`$.captures[3].image`, `line-4:$.image` in JSON Lines),
 * else `data-uri-N` and `base64-N`. Bounded: maxEntries runs per file, each decoded only when it fits
 * maxMemberBufferBytes, all against maxTotalBytes; a run over a limit is reported, not decoded.
 */
export async function* embeddedMembers(source: { content: ContentSource; size: number }, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  // The detectors' read of a file watched for long stretches: none, and there is nothing to decode.
  if (source.content instanceof TailKeepingContent && source.content.mayEmbed === false) return;
  const { options } = walk;
  const maxChars = Math.ceil((options.maxMemberBufferBytes * 4) / 3) + 4096;
  const emitter = new Emitter(level, walk);
  const counts = { 'data-uri': 0, base64: 0 };
  let json = false;
  let inJson = false;
  const stream = source.content.stream();
  try {
    json = source.size <= Math.min(JSON_NAMING_BYTES, options.maxMemberBufferBytes) && (await looksLikeJson(source.content));
    const scanner = new RunScanner(maxChars);
    const runs = async function* (): AsyncGenerator<Run> {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield* scanner.pushBytes(chunk);
      yield* scanner.pushBytes(Buffer.alloc(0), true);
    };
    for await (const run of runs()) {
      if (run.length < MIN_RUN_CHARS) continue;
      // JSON gets its files named by path: one is enough to know the document must be parsed.
      if (json) {
        inJson = true;
        break;
      }
      const kind = run.dataUri ? 'data-uri' : 'base64';
      if (!(yield* emitter.emit(`${kind}-${++counts[kind]}`, run))) return;
    }
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  } finally {
    stream.destroy();
  }
  if (inJson) yield* namedInJson(source.content, maxChars, emitter, level, walk);
}

/** The runs of a JSON document named by path; by position when it turns out not to parse. */
async function* namedInJson(content: ContentSource, maxChars: number, emitter: Emitter, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let bytes: Buffer;
  try {
    bytes = await content.readAll();
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
    return;
  }
  const named = jsonRuns(bytes, maxChars) ?? positional(bytes, maxChars);
  for (const { name, run } of named) if (!(yield* emitter.emit(name, run))) return;
}

function positional(bytes: Buffer, maxChars: number): NamedRun[] {
  const counts = { 'data-uri': 0, base64: 0 };
  return new RunScanner(maxChars)
    .push(bytes.toString('latin1'), true)
    .filter((run) => run.length >= MIN_RUN_CHARS)
    .map((run) => {
      const kind = run.dataUri ? 'data-uri' : 'base64';
      return { name: `${kind}-${++counts[kind]}`, run };
    });
}

async function looksLikeJson(content: ContentSource): Promise<boolean> {
  const head = (await content.head(64)).toString('latin1').trimStart();
  return head.startsWith('{') || head.startsWith('[');
}

/** Decodes runs into members, counting them against the walk's limits. */
class Emitter {
  private count = 0;
  constructor(
    private readonly level: Level,
    private readonly walk: Walk,
  ) {}

  /** Yields the run's member (or why it is not one); false once the walk must stop. */
  async *emit(name: string, run: Run): AsyncGenerator<SourceEvent, boolean> {
    const { options } = this.walk;
    const location = memberLocation(this.level, name);
    if (this.walk.stopped) return false;
    if (run.text === undefined) {
      // Too long to hold: what it is cannot be known without decoding it, so it is reported.
      yield limitCoverage(location, 'maxMemberBufferBytes', options.maxMemberBufferBytes, `embedded base64 of ${run.length} characters not decoded`);
      return true;
    }
    const bytes = decodeRun(run.text);
    const media = sniff(bytes.subarray(0, SNIFF_BYTES));
    // It only started like a file: text that happens to begin with "/9j/" or "Qlpo" is no member.
    if (media === 'text/plain' || media === 'application/octet-stream') return true;
    if (++this.count > options.maxEntries) {
      yield limitCoverage(this.level.location, 'maxEntries', options.maxEntries, 'further embedded base64 files are not decoded');
      return false;
    }
    const refused = admit(this.walk, location, bytes.length);
    if (refused) {
      yield refused;
      return false;
    }
    yield* this.walk.member(this.level, { name, size: bytes.length, content: new BufferContent(bytes) });
    return true;
  }
}
