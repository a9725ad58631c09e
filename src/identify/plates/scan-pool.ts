import { Worker } from 'node:worker_threads';
import { builtFile } from '../../util/built-file.js';
import type { PlateMatcher, PlateMatcherParts } from './matcher.js';
import { type PlateScanResult, scanPlates } from './scan.js';

/** Files at least this large are scanned on a thread; smaller ones cost less than a thread's round trips. */
export const THREAD_SCAN_BYTES = 4 * 1024 * 1024;
/** Chunks read ahead of a thread's scan, per file: bounds memory (1 MiB chunks) and keeps the thread fed. */
const READ_AHEAD = 4;
/** Bytes of each of a thread's slots: a file's reader lends chunks of 1 MiB (src/sources/file-content.ts). */
const SLOT_BYTES = 1 << 20;

/** What a scanning thread starts from: the matcher's shared tables, and its slots. */
export interface ScanThreadSetup {
  matcher: PlateMatcherParts;
  /** READ_AHEAD buffers shared with the main thread: chunk n of a scan is copied into slot n % READ_AHEAD. */
  slots: SharedArrayBuffer[];
}

/**
 * Main thread to a scanning thread: a chunk is in slot `slot` (its first `length` bytes), or, when
 * larger than a slot, in `bytes` (transferred, not copied).
 */
export type ScanRequest =
  | { type: 'start' }
  | { type: 'chunk'; slot: number; length: number }
  | { type: 'chunk'; bytes: ArrayBuffer }
  | { type: 'end' }
  | { type: 'abort' };
/** A scanning thread's replies: one `ack` per chunk taken, then one `done` or `error` per scan. */
export type ScanReply = { type: 'ack' } | { type: 'done'; result: PlateScanResult } | { type: 'error'; error: string };

const WORKER_URL = builtFile('plate-scan-worker.js', import.meta.url);

/** A scanning thread's failure (it died, or its scan threw): recorded in coverage like a read error. */
export class PlateThreadError extends Error {
  readonly code = 'EPLATETHREAD';
}

/** The calling thread, as one of the pool's scanners. */
const HERE = 'here';

interface Thread {
  worker: Worker;
  slots: Uint8Array[];
  /** The scan in progress: told of each reply, and of the thread's death. */
  current: ((reply: ScanReply | Error) => void) | undefined;
}

/**
 * Plate scans of large files on worker threads. The audit reads each file on the main thread as
 * before (what the read tells other stages stays where it is: bytes counted, size-change checks,
 * tails kept); each chunk is copied out of the reader's lent buffer into a slot shared with the file's
 * thread, which runs the same scanPlates over a matcher sharing this one's tables. `threadCount`
 * scanners in all: the calling thread is one of them (the first file goes to it), so
 * two cores pay for one thread's start-up (~0.2 s CPU), not two, and the calling thread, which reads
 * and digests every file besides, still scans its share. Each scanner takes one file at a time, the
 * rest wait in arrival order; no thread starts before the first large file. The result is the scan's
 * own, so which thread ran it, and when, never changes it.
 */
export class PlateScanPool {
  private readonly threads: Thread[] = [];
  private readonly idle: Thread[] = [];
  private readonly waiting: { resolve: (scanner: Thread | typeof HERE) => void; reject: (error: Error) => void }[] = [];
  private closed = false;
  /** Whether the calling thread is scanning a large file. */
  private hereBusy = false;

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly threadCount: number,
  ) {}

  /** Whether content of this size is scanned by the pool (on a thread, or here when none is free). */
  wants(size: number): boolean {
    return this.threadCount > 1 && size >= THREAD_SCAN_BYTES;
  }

  /** scanPlates(stream, matcher) on a thread; rejects when the stream fails or the thread does. */
  async scan(stream: AsyncIterable<Uint8Array | string>): Promise<PlateScanResult> {
    if (this.closed) throw new Error('plate scan pool is closed');
    const scanner = await this.acquire();
    if (scanner === HERE) {
      try {
        return await scanPlates(stream, this.matcher);
      } finally {
        this.releaseHere();
      }
    }
    const thread = scanner;
    // Closed, or dead, while this scan waited for it: nothing would ever answer.
    if (!this.threads.includes(thread)) throw new PlateThreadError('plate scanning thread stopped before the scan began');
    let credit = READ_AHEAD;
    let sent = 0;
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let settle!: (reply: ScanReply | Error) => void;
    const finished = new Promise<PlateScanResult>((resolve, reject) => {
      settle = (reply) => {
        if (reply instanceof Error) failure = reply;
        else if (reply.type === 'ack') credit++;
        else {
          // The thread is done with this file (a result, an error, or the end of an aborted scan).
          thread.current = undefined;
          this.release(thread);
          if (reply.type === 'done') resolve(reply.result);
          else failure ??= new PlateThreadError(`plate scanning thread failed: ${reply.error}`);
        }
        if (failure) reject(failure);
        const w = wake;
        wake = undefined;
        w?.();
      };
    });
    thread.current = settle;
    // Never unhandled: a failure while the reader is still reading is thrown from the loop below.
    finished.catch(() => {});
    thread.worker.postMessage({ type: 'start' } satisfies ScanRequest);
    try {
      for await (const data of stream) {
        while (credit === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
        if (failure) throw failure;
        credit--;
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        // A copy, as the reader reads its next chunk into the same buffer: into the slot the thread
        // acknowledged last (acknowledgements come in order), else, rarely, a buffer of its own. Fresh
        // 1 MiB buffers cost more than the scan saves: at 200 MB, 1.1 s of page faults and 0.4 s of
        // transfers on the main thread (--cpu-prof of the bench's plate row), which then starved the threads.
        const slot = sent++ % READ_AHEAD;
        const into = thread.slots[slot]!;
        if (bytes.length <= into.length) {
          into.set(bytes);
          thread.worker.postMessage({ type: 'chunk', slot, length: bytes.length } satisfies ScanRequest);
        } else {
          const copy = new Uint8Array(bytes);
          thread.worker.postMessage({ type: 'chunk', bytes: copy.buffer } satisfies ScanRequest, [copy.buffer]);
        }
      }
    } catch (error) {
      // The read failed (the file changed size, say): the thread drops this file and reports back.
      if (thread.current === settle) thread.worker.postMessage({ type: 'abort' } satisfies ScanRequest);
      throw error;
    }
    thread.worker.postMessage({ type: 'end' } satisfies ScanRequest);
    return finished;
  }

  /** Stops every thread; scans in progress fail, scans waiting for a thread are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    this.idle.length = 0;
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('plate scan pool is closed'));
    for (const thread of threads) {
      const current = thread.current;
      thread.current = undefined;
      current?.(new PlateThreadError('plate scan pool is closed'));
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  /**
   * A free scanner: the calling thread, else a thread (started when none is idle), else the first of
   * them to be free. The calling thread first: a large file scanned alone gains nothing from a thread
   * and would pay its start-up.
   */
  private acquire(): Promise<Thread | typeof HERE> {
    if (!this.hereBusy) {
      this.hereBusy = true;
      return Promise.resolve(HERE);
    }
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.threads.length < this.threadCount - 1) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private releaseHere(): void {
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) next.resolve(HERE);
    else this.hereBusy = false;
  }

  private release(thread: Thread): void {
    if (!this.threads.includes(thread)) return;
    const next = this.waiting.shift();
    if (next) next.resolve(thread);
    else this.idle.push(thread);
  }

  private spawn(): Thread {
    const slots = Array.from({ length: READ_AHEAD }, () => new SharedArrayBuffer(SLOT_BYTES));
    const setup: ScanThreadSetup = { matcher: this.matcher.parts(), slots };
    const thread: Thread = { worker: new Worker(WORKER_URL, { workerData: setup }), slots: slots.map((b) => new Uint8Array(b)), current: undefined };
    thread.worker.on('message', (reply: ScanReply) => thread.current?.(reply));
    // A thread that dies fails only the file it was scanning; the next file waiting gets a new thread.
    const fail = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      const idle = this.idle.indexOf(thread);
      if (idle >= 0) this.idle.splice(idle, 1);
      const current = thread.current;
      thread.current = undefined;
      current?.(new PlateThreadError(`plate scanning thread failed: ${error.message}`));
      const next = this.closed ? undefined : this.waiting.shift();
      if (!next) return;
      try {
        next.resolve(this.spawn());
      } catch (spawnError) {
        next.reject(spawnError instanceof Error ? spawnError : new Error(String(spawnError)));
      }
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.threads.push(thread);
    return thread;
  }
}
