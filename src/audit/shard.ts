// Moved to util, where `custody fingerprint --shard` shares them; audit's behaviour is unchanged.
export { parseShard, shardOf } from '../util/shard.js';
