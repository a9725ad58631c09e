import { parentPort, workerData } from 'node:worker_threads';
import { PlateMatcher } from './matcher.js';
import { scanPlates } from './scan.js';
import type { ScanReply, ScanRequest, ScanThreadSetup } from './scan-pool.js';

/**
 * One plate-scanning thread of a PlateScanPool: the same scanPlates as the main thread, over a
 * matcher made from the pool's shared tables, fed one file at a time with the chunks the main thread
 * read, from the slots it shares with this thread. Each chunk taken is acknowledged (the pool's read-ahead is bounded by those replies), and
 * every scan ends with exactly one `done` or `error` reply, aborted ones too: the pool frees the
 * thread for the next file only then.
 */
const setup = workerData as ScanThreadSetup;
const matcher = PlateMatcher.fromParts(setup.matcher);
const slots = setup.slots.map((buffer) => new Uint8Array(buffer));
const port = parentPort!;

/** The chunks of the file being scanned: arrived and not yet taken, or the reader waiting for one. */
let queue: Uint8Array[] = [];
let ended = false;
let aborted = false;
let waiting: (() => void) | undefined;

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (;;) {
    if (aborted) throw new Error('plate scan aborted');
    const chunk = queue.shift();
    if (chunk) {
      yield chunk;
      port.postMessage({ type: 'ack' } satisfies ScanReply);
      continue;
    }
    if (ended) return;
    await new Promise<void>((resolve) => {
      waiting = resolve;
    });
  }
}

function wake(): void {
  const resolve = waiting;
  waiting = undefined;
  resolve?.();
}

port.on('message', (request: ScanRequest) => {
  if (request.type === 'start') {
    queue = [];
    ended = false;
    aborted = false;
    scanPlates(chunks(), matcher).then(
      (result) => port.postMessage({ type: 'done', result } satisfies ScanReply),
      (error: unknown) => port.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) } satisfies ScanReply),
    );
  } else if (request.type === 'chunk') {
    // A slot is the main thread's again once acknowledged: scanPlates copies what it keeps of a chunk.
    queue.push('slot' in request ? slots[request.slot]!.subarray(0, request.length) : new Uint8Array(request.bytes));
  } else if (request.type === 'end') {
    ended = true;
  } else {
    aborted = true;
  }
  wake();
});
