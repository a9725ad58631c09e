import { parentPort, workerData } from 'node:worker_threads';
import { PlateMatcher, type SharedPlateMatcher } from './matcher.js';
import type { ScanReply, ScanRequest } from './scan-pool.js';
import { PlateStreamScan } from './scan-stream.js';

/**
 * One plate scanning thread of scan-pool.ts: the matcher rebuilt over the shared digest table, then
 * one stream at a time, chunk by chunk; each chunk is acknowledged once scanned (the reader's flow
 * control), and the result, which holds no plate, is posted at the end.
 */
const matcher = PlateMatcher.fromShared(workerData as SharedPlateMatcher);
const port = parentPort!;
let current: { scan: number; stream: PlateStreamScan } | undefined;

port.on('message', (request: ScanRequest) => {
  const { scan } = request;
  let reply: ScanReply;
  try {
    if (request.kind === 'abort') {
      current = undefined;
      return;
    }
    if (current?.scan !== scan) current = { scan, stream: new PlateStreamScan(matcher) };
    if (request.kind === 'chunk') {
      current.stream.write(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.length));
      reply = { scan, kind: 'scanned', bytes: request.bytes.length };
    } else {
      reply = { scan, kind: 'done', result: current.stream.end() };
      current = undefined;
    }
  } catch (error) {
    current = undefined;
    reply = { scan, kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
