import CFB from 'cfb';

/** cfb checks every added path against every other (quadratic); the paths here are unique by construction. */
const UNSAFE = { unsafe: true };
const utf16 = (text: string): Buffer => Buffer.from(text, 'utf16le');

/** One attachment of `messageWith`: a file, or an attachment storage with its names but no data stream. */
export type RawAttachment = { name: string; data: Buffer } | { name: string; noData: true };

/**
 * An Outlook message as a compound file, written with cfb like scripts/synth/msg.js, with what that
 * writer cannot say: a compressed RTF body as given (`rtf`), attachments that hold no data stream (as an attachment by reference does), and
 * `extraStreams` short root streams (`__substg1.0_8NNN0102`, property ids no reader knows).
 */
export function messageWith(spec: { subject?: string; body?: string; rtf?: Buffer; attachments?: RawAttachment[]; extraStreams?: number }): Buffer {
  const cfb = CFB.utils.cfb_new();
  const add = (path: string, data: Buffer) => CFB.utils.cfb_add(cfb, path, data, UNSAFE);
  add('/__properties_version1.0', Buffer.alloc(32));
  if (spec.subject !== undefined) add('/__substg1.0_0037001F', utf16(spec.subject));
  if (spec.body !== undefined) add('/__substg1.0_1000001F', utf16(spec.body));
  if (spec.rtf !== undefined) add('/__substg1.0_10090102', spec.rtf);
  (spec.attachments ?? []).forEach((attachment, i) => {
    const folder = `/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    add(`${folder}/__properties_version1.0`, Buffer.alloc(8));
    add(`${folder}/__substg1.0_3001001F`, utf16(attachment.name));
    add(`${folder}/__substg1.0_3707001F`, utf16(attachment.name));
    if ('data' in attachment) add(`${folder}/__substg1.0_37010102`, attachment.data);
  });
  for (let i = 0; i < (spec.extraStreams ?? 0); i++) add(`/${extraStream(i)}`, Buffer.from(`s${i}`));
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

/** The name of the `i`th extra stream. */
export const extraStream = (i: number): string => `__substg1.0_8${i.toString(16).toUpperCase().padStart(3, '0')}0102`;

/**
 * Sets the declared size of every directory entry named in `sizes` (entries are 128 bytes after the
 * 512-byte header, wherever their sectors lie: every 128-byte slot is looked at, its UTF-16LE name
 * length at 0x40, its size at 0x78). Returns how many entries it set.
 */
export function declareSizes(file: Buffer, sizes: ReadonlyMap<string, number>): number {
  let set = 0;
  for (let at = 512; at + 128 <= file.length; at += 128) {
    const length = file.readUInt16LE(at + 0x40);
    if (length < 2 || length > 64 || length % 2 !== 0) continue;
    const size = sizes.get(file.toString('utf16le', at, at + length - 2));
    if (size === undefined) continue;
    file.writeUInt32LE(size, at + 0x78);
    set++;
  }
  return set;
}
