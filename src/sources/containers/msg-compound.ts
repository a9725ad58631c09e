import type { CFB$Container } from 'cfb';
import { lazy } from '../../util/lazy.js';
import { sectorsWalked } from './msg-chains.js';

const loadCfb = lazy(async () => {
  const module = (await import('cfb')) as unknown as { default?: typeof import('cfb') } & typeof import('cfb');
  return module.default ?? module;
});

/** What a compound file (OLE2) holds, as far as custody reads it. */
export type Compound =
  /** An Outlook message: `clean` is the same message rewritten whole; `short` names streams whose sectors end before their declared size. */
  | { kind: 'msg'; clean: Buffer; short: string[] }
  /** Another compound document (.doc, .xls, .ppt, Thumbs.db): custody does not read its streams. */
  | { kind: 'other' }
  | { kind: 'corrupt'; detail: string };

/** The stream every Outlook item has at its root ([MS-OXMSG] 2.4), and no Word, Excel or PowerPoint file does. */
const MSG_PROPERTIES = '__properties_version1.0';
const STREAM = 2;
/** Mini streams are read from the root's stream, which holds them all: counted with the others, they may add up to one file more; this covers rounding to mini sectors. */
const MINI_STREAM_SLACK = 65_536;

/**
 * Reads a compound file with SheetJS's cfb, which follows every sector chain once (a chain that loops
 * back, or leaves the file, ends there) and slices each stream to what its sectors hold, then tells an
 * Outlook message from other compound documents by its streams, not its name. msgreader (which reads
 * the message's properties) follows chains without such checks, so a message is handed to it only as
 * cfb rewrites it: every chain and size then agrees with itself, whatever the original said.
 */
export async function readCompound(bytes: Buffer): Promise<Compound> {
  const CFB = await loadCfb();
  // cfb's chain walk re-reads chains it enters from behind; a fragmented real file re-reads a few.
  const budget = 8 * Math.ceil(bytes.length / 512) + 4096;
  const walked = sectorsWalked(bytes, budget);
  if (walked !== undefined && walked > budget)
    return { kind: 'corrupt', detail: `sector chains overlap: reading them would take more than ${budget} sectors for ${bytes.length} bytes` };
  let container: CFB$Container;
  try {
    container = CFB.read(bytes, { type: 'buffer' });
  } catch (error) {
    return { kind: 'corrupt', detail: `compound file not read (${(error as Error).message})` };
  }
  const root = container.FullPaths[0] ?? '';
  const isMsg = container.FileIndex.some((entry, i) => entry.type === STREAM && container.FullPaths[i] === `${root}${MSG_PROPERTIES}`);
  if (!isMsg) return { kind: 'other' };
  // Streams that share sectors are held once here, but the rewrite below copies each of them.
  const held = container.FileIndex.reduce((sum, entry) => sum + (entry.type === STREAM ? (entry.content?.length ?? 0) : 0), 0);
  if (held > 2 * bytes.length + MINI_STREAM_SLACK)
    return { kind: 'corrupt', detail: `streams share sectors: they hold ${held} bytes in a file of ${bytes.length}` };
  const short: string[] = [];
  container.FileIndex.forEach((entry, i) => {
    const held = entry.content?.length ?? 0;
    if (entry.type !== STREAM || held >= entry.size) return;
    short.push(`${container.FullPaths[i]!.slice(root.length)} (${entry.size} bytes declared, ${held} held)`);
    // cfb writes a stream's size as its entry says, not as its content is: msgreader would then
    // allocate the declared size (2 GiB for a lying entry) and read past the stream.
    entry.size = held;
  });
  try {
    const written = CFB.write(container, { type: 'buffer' }) as Buffer | Uint8Array;
    return { kind: 'msg', clean: Buffer.isBuffer(written) ? written : Buffer.from(written), short };
  } catch (error) {
    return { kind: 'corrupt', detail: `compound file not rewritten (${(error as Error).message})` };
  }
}
