import { parentPort, workerData } from 'node:worker_threads';
import type { Reference } from '../../references/schema.js';
import type { MatchReply, MatchTask, WorkerSetup } from './match-pool.js';
import { PerceptualMatcher } from './matcher.js';

/**
 * One matching thread of a MatchPool: builds its own PerceptualMatcher over the references it was
 * given, then answers one task at a time. A match names its reference by index into that list.
 */
const { references, options } = workerData as WorkerSetup;
const matcher = new PerceptualMatcher(references, options);
const indexOf = new Map<Reference, number>(references.map((reference, i) => [reference, i]));
const port = parentPort!;

port.on('message', (task: MatchTask) => {
  let reply: MatchReply;
  try {
    const outcome = matcher.match({ pixels: new Uint8Array(task.pixels), width: task.width, height: task.height, channels: task.channels });
    if (outcome.kind === 'match') {
      const { reference, ...match } = outcome.match;
      reply = { outcome: { kind: 'match', match: { ...match, reference: indexOf.get(reference)! } } };
    } else {
      reply = { outcome };
    }
  } catch (error) {
    reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
