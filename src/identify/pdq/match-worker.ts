import { parentPort, workerData } from 'node:worker_threads';
import { SubImageMatcher } from '../subimage/sub-image-matcher.js';
import type { MatchReply, MatchTask, WorkerSetup } from './match-pool.js';

/**
 * One matching thread of a MatchPool: a SubImageMatcher over the shared index it was given, then
 * one task at a time. A match names its reference by number (`referenceIndex`) only.
 */
const { index, options } = workerData as WorkerSetup;
// The whole-image stages, then the sub-image search (subimage/) for what they leave unmatched.
const matcher = new SubImageMatcher(index, options);
const port = parentPort!;

port.on('message', (task: MatchTask) => {
  let reply: MatchReply;
  try {
    const outcome = matcher.match({ pixels: new Uint8Array(task.pixels), width: task.width, height: task.height, channels: task.channels });
    if (outcome.kind === 'match') {
      const { reference: _label, ...match } = outcome.match;
      reply = { outcome: { kind: 'match', match } };
    } else {
      reply = { outcome };
    }
  } catch (error) {
    reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
