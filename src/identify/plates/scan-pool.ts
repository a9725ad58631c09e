import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { builtFile } from '../../util/built-file.js';
import type { PlateMatcher, SharedPlateMatcher } from './matcher.js';
import { type PlateScanResult, scanPlatesHere } from './scan-stream.js';

/**
 * Large plate scans on worker threads. The byte scanner is synchronous JavaScript at some tens of
 * MB/s a core, so an audit holding several large logs or exports scanned them one after another on
 * the main thread while the other cores idled. Here the main thread only reads (file I/O is
 * asynchronous) and posts 1 MiB chunks to a scanning thread, one stream per thread; each thread
 * holds the same matcher over the same shared digest table. A scan is deterministic, so which thread
 * runs it never changes a result, and the result carries no plate (see {@link PlateScanResult}).
 */

/** A stream shorter than this is scanned where it is read: a thread's messages would cost more than they save. */
export const THREAD_MIN_BYTES = 4 * 1024 * 1024;
/** Bytes posted to a thread and not yet scanned, per stream, before reading waits (memory stays bounded). */
const MAX_IN_FLIGHT = 4 * 1024 * 1024;
/** Scanning threads at most: the cores, but never more than four (each holds a small cache). */
const MAX_THREADS = 4;

const WORKER_URL = builtFile('scan-worker.js', import.meta.url);

/** Main thread to scanning thread. */
export type ScanRequest = { scan: number } & ({ kind: 'chunk'; bytes: Uint8Array } | { kind: 'end' } | { kind: 'abort' });
/** Scanning thread to main thread, for scan number `scan`: a chunk scanned, the result, or a failure. */
export type ScanReply = { scan: number } & (
  | { kind: 'scanned'; bytes: number }
  | { kind: 'done'; result: PlateScanResult }
  | { kind: 'error'; message: string }
);

/** How many threads large scans may use (1: everything is scanned on the calling thread). */
export function scanThreadCount(): number {
  return Math.min(MAX_THREADS, availableParallelism());
}

/**
 * Scans `stream` on the calling thread when it is short or one core is all there is, else on a
 * scanning thread. Rejects when the stream fails, or when the thread dies.
 */
export async function scanPlatesOnThreads(stream: Readable, matcher: PlateMatcher): Promise<PlateScanResult> {
  const threads = scanThreadCount();
  const chunks = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (threads > 1 && headBytes < THREAD_MIN_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
    head.push(chunk);
    headBytes += chunk.length;
  }
  const rest: Iterable<Buffer> | AsyncIterable<Buffer | string> = ended ? [] : { [Symbol.asyncIterator]: () => chunks };
  if (threads <= 1 || ended) return scanPlatesHere(joined(head, rest), matcher);
  return poolFor(matcher, threads).scan(joined(head, rest));
}

async function* joined(head: Buffer[], rest: Iterable<Buffer> | AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield* head;
  yield* rest;
}

const pools = new WeakMap<PlateMatcher, ScanPool>();
let threadsStarted = 0;

/** Scanning threads started in this process so far (a test asks whether long scans left the calling thread). */
export function scanThreadsStarted(): number {
  return threadsStarted;
}

function poolFor(matcher: PlateMatcher, threads: number): ScanPool {
  let pool = pools.get(matcher);
  if (!pool) pools.set(matcher, (pool = new ScanPool(matcher.shared(), threads)));
  return pool;
}

interface Thread {
  worker: Worker;
  /** The reply handler of the scan running on it. */
  onReply: ((reply: ScanReply) => void) | undefined;
  onFailure: ((error: Error) => void) | undefined;
}

/**
 * Threads for one matcher, each running one scan at a time; scans wait in arrival order for a free
 * one. An idle thread does not keep the process alive (unref), so no one has to close the pool.
 */
class ScanPool {
  private readonly idle: Thread[] = [];
  private readonly waiting: ((thread: Thread) => void)[] = [];
  private started = 0;
  private scans = 0;

  constructor(
    private readonly shared: SharedPlateMatcher,
    private readonly threads: number,
  ) {}

  async scan(chunks: AsyncIterable<Buffer | string>): Promise<PlateScanResult> {
    const thread = await this.acquire();
    thread.worker.ref();
    // Numbered, so that a reply still on its way from an aborted scan is never taken for this one's.
    const scan = ++this.scans;
    let inFlight = 0;
    let wake: (() => void) | undefined;
    let settle!: { resolve: (result: PlateScanResult) => void; reject: (error: Error) => void };
    let failed: Error | undefined;
    const done = new Promise<PlateScanResult>((resolve, reject) => (settle = { resolve, reject }));
    // Settled as soon as the thread fails, so that a read loop waiting for room stops too.
    done.catch(() => undefined);
    thread.onFailure = (error) => {
      failed = error;
      settle.reject(error);
      wake?.();
    };
    thread.onReply = (reply) => {
      if (reply.scan !== scan) return;
      if (reply.kind === 'scanned') {
        inFlight -= reply.bytes;
        wake?.();
      } else if (reply.kind === 'done') settle.resolve(reply.result);
      else thread.onFailure?.(new Error(`plate scanning thread failed: ${reply.message}`));
    };
    try {
      for await (const data of chunks) {
        if (failed) throw failed;
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        // A copy the thread owns: a read stream's buffers may be views of a shared pool.
        const owned = new Uint8Array(bytes);
        inFlight += owned.length;
        thread.worker.postMessage({ scan, kind: 'chunk', bytes: owned } satisfies ScanRequest, [owned.buffer]);
        while (inFlight > MAX_IN_FLIGHT && !failed) await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failed) throw failed;
      thread.worker.postMessage({ scan, kind: 'end' } satisfies ScanRequest);
      return await done;
    } catch (error) {
      if (!failed) thread.worker.postMessage({ scan, kind: 'abort' } satisfies ScanRequest);
      throw error;
    } finally {
      thread.onReply = undefined;
      thread.onFailure = undefined;
      if (failed) this.replace();
      else this.release(thread);
    }
  }

  private acquire(): Promise<Thread> {
    const thread = this.idle.pop();
    if (thread) return Promise.resolve(thread);
    if (this.started < this.threads) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(thread: Thread): void {
    const next = this.waiting.shift();
    if (next) return next(thread);
    thread.worker.unref();
    this.idle.push(thread);
  }

  /** A thread died: the next scan waiting, if any, gets a new one. */
  private replace(): void {
    this.started--;
    const next = this.waiting.shift();
    if (next) next(this.spawn());
  }

  private spawn(): Thread {
    this.started++;
    threadsStarted++;
    const thread: Thread = { worker: new Worker(WORKER_URL, { workerData: this.shared }), onReply: undefined, onFailure: undefined };
    thread.worker.on('message', (reply: ScanReply) => thread.onReply?.(reply));
    // A thread that dies fails only the scan it was running; the next scan starts a new one.
    const fail = (error: Error) => {
      const at = this.idle.indexOf(thread);
      if (at >= 0) {
        this.idle.splice(at, 1);
        this.started--;
      }
      thread.onFailure?.(error);
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`plate scanning thread exited with code ${code}`)));
    return thread;
  }
}
