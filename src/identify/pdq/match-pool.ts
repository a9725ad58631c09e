import { Worker } from 'node:worker_threads';
import { type ReferenceTables, referenceId } from '../../references/columns.js';
import type { StoreColumns } from '../../references/store-format.js';
import type { ViewFile } from '../../references/view-file.js';
import { builtFile } from '../../util/built-file.js';
import { SubImageMatcher } from '../subimage/sub-image-matcher.js';
import type { PixelImage } from './borders.js';
import type { MatcherOptions, MatchOutcome, PerceptualMatch } from './match-settings.js';
import { buildPdqIndex, entryCount, type PdqIndex } from './pdq-index.js';

/** What each matching thread starts from: the index (shared memory, not copied) and the options. */
export interface WorkerSetup {
  index: PdqIndex;
  options: MatcherOptions;
}

/** One image to match; `pixels` is transferred, not copied. */
export interface MatchTask {
  pixels: ArrayBuffer;
  width: number;
  height: number;
  channels: number;
}

/** A thread's answer to its one task in flight: the outcome, its match naming the reference by `referenceIndex` only. */
export type MatchReply =
  | { outcome: Exclude<MatchOutcome, { kind: 'match' }> | { kind: 'match'; match: Omit<PerceptualMatch, 'reference'> } }
  | { error: string };

const WORKER_URL = builtFile('match-worker.js', import.meta.url);

interface Pending {
  task: MatchTask;
  resolve: (outcome: MatchOutcome) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  busy: Pending | undefined;
}

/**
 * Perceptual matching on worker threads. Matching is synchronous JavaScript (the tent filter, a few
 * hundred small DCTs for a query that needs the crop search): on the main thread it ran on one
 * core, while sharp decodes on libvips's own threads. The index is built once, on this thread, when
 * the first image arrives, in shared memory; every thread's matcher reads that one copy (only its
 * scratch space is its own), and each thread takes one image at a time; images
 * wait in arrival order when all are busy, and the audit's --jobs bounds how many wait. With one
 * thread, or none, images are matched on the calling thread. Matching is deterministic, so which
 * thread answers never changes a result.
 */
export class MatchPool {
  /** Number of usable stored hashes (0: nothing to match against). */
  readonly size: number;
  /** The calling thread's matcher, built when an image is first matched here (never, with threads). */
  private local: SubImageMatcher | undefined;
  /** The shared index, built when the first image arrives (never, for an audit replayed from the cache). */
  private index: PdqIndex | undefined;
  private failure: Error | undefined;
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    private readonly columns: StoreColumns,
    private readonly tables: ReferenceTables,
    private readonly threadCount: number,
    private readonly options: MatcherOptions = {},
    private readonly viewFile?: ViewFile,
  ) {
    // Counted, not built: an audit replayed from the cache never needs the index.
    this.size = entryCount(columns, tables);
  }

  /**
   * Matches one decoded image; rejects on a bug in a matching thread, and (every image alike) when
   * the index could not be built: a store whose file changed after it was verified.
   */
  match(image: PixelImage): Promise<MatchOutcome> {
    if (this.closed) return Promise.reject(new Error('match pool is closed'));
    let index: PdqIndex;
    try {
      index = this.built();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.threadCount <= 1) return Promise.resolve((this.local ??= new SubImageMatcher(index, this.options)).match(image));
    // A private copy to transfer: the decoder's buffer may be shared or external memory.
    const pixels = new Uint8Array(image.pixels).buffer;
    const task: MatchTask = { pixels, width: image.width, height: image.height, channels: image.channels };
    return new Promise<MatchOutcome>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every thread; tasks still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('match pool closed'));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let thread = this.threads.find((t) => !t.busy);
      if (!thread && this.threads.length < this.threadCount) thread = this.spawn();
      if (!thread) return;
      const pending = this.queue.shift()!;
      thread.busy = pending;
      thread.worker.postMessage(pending.task, [pending.task.pixels]);
    }
  }

  /** The index, built once; a build that failed fails every later call the same way, without another try. */
  private built(): PdqIndex {
    if (this.failure) throw this.failure;
    try {
      this.index ??= buildPdqIndex(this.columns, this.tables, this.viewFile);
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
    return this.index;
  }

  private spawn(): Thread {
    const setup: WorkerSetup = { index: this.built(), options: this.options };
    const thread: Thread = { worker: new Worker(WORKER_URL, { workerData: setup }), busy: undefined };
    thread.worker.on('message', (reply: MatchReply) => {
      const pending = thread.busy;
      thread.busy = undefined;
      if (pending) {
        if ('error' in reply) pending.reject(new Error(`perceptual matching thread failed: ${reply.error}`));
        else pending.resolve(this.revive(reply.outcome));
      }
      this.dispatch();
    });
    // A thread that dies takes only its current image with it; the next dispatch starts a new one.
    const fail = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at >= 0) this.threads.splice(at, 1);
      thread.busy?.reject(error);
      thread.busy = undefined;
      if (!this.closed) this.dispatch();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`perceptual matching thread exited with code ${code}`));
    });
    this.threads.push(thread);
    return thread;
  }

  private revive(outcome: Extract<MatchReply, { outcome: unknown }>['outcome']): MatchOutcome {
    if (outcome.kind !== 'match') return outcome;
    const reference = outcome.match.referenceIndex;
    return {
      kind: 'match',
      match: { ...outcome.match, reference: { id: referenceId(this.columns, reference), class: this.tables.classes[this.columns.classes[reference]!]! } },
    };
  }
}
