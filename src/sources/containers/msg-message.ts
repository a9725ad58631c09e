import type { FieldsData } from '@kenjiuno/msgreader';
import { lazy } from '../../util/lazy.js';
import { BufferContent } from '../archives/content.js';
import { coverageEvent, limitCoverage } from '../archives/errors.js';
import { admit, type Level, memberLocation, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import { htmlToText } from './html-text.js';
import { MemberNames, SMIME, safeName } from './mail-message.js';

type MsgReaderClass = typeof import('@kenjiuno/msgreader').default;

// CommonJS compiled from TypeScript: the class is the module's `default` export, once more under `default`.
const loadMsgReader = lazy(async () => {
  const module = (await import('@kenjiuno/msgreader')) as unknown as { default: MsgReaderClass | { default: MsgReaderClass } };
  return 'default' in module.default ? module.default.default : module.default;
});
const loadDecompressRtf = lazy(async () => (await import('@kenjiuno/decompressrtf')).decompressRTF);

/** One part of the message: its bytes, or why they could not be read (the other parts are read all the same). */
type Part = { name: string; bytes: Buffer; encrypted?: string } | { name: string; failed: string };

/**
 * Yields an Outlook message's parts as members of `level`, like an .eml's (mail-message.ts):
 * `subject.txt`, `body.txt` (the plain body, else the HTML's text), `body.html`, and `body.rtf` only
 * when the message has neither (Outlook keeps the RTF body beside the others, and a picture it shows
 * is an attachment of its own), then every attachment under its own name. An embedded message is
 * rewritten whole by msgreader (`Inner subject.msg`), so the walk opens it as a nested message.
 * `bytes` is the compound file as msg-compound.ts rewrote it. A part msgreader fails on is recorded
 * at its own location; the parts before and after it are still members.
 */
export async function* expandMsg(bytes: Buffer, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const MsgReader = await loadMsgReader();
  let reader: InstanceType<MsgReaderClass>;
  let fields: FieldsData;
  try {
    reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    fields = reader.getFileData();
  } catch (error) {
    // msgreader throws on a property stream that contradicts itself (a length past its end, a loop of
    // storages deep enough to exhaust the stack): the message is not inspected.
    return yield corrupt(level, message(error));
  }
  if (fields.error) return yield corrupt(level, fields.error);
  const parts: Part[] = [];
  const names = new MemberNames();
  const text = (name: string, value: string | undefined) => {
    if (value) parts.push({ name: names.take(name), bytes: Buffer.from(value, 'utf8') });
  };
  text('subject.txt', fields.subject);
  const html = fields.bodyHtml ?? (fields.html ? Buffer.from(fields.html).toString('utf8') : undefined);
  text('body.txt', fields.body || (html ? htmlToText(html) : undefined));
  if (fields.bodyHtml) text('body.html', fields.bodyHtml);
  else if (fields.html) parts.push({ name: names.take('body.html'), bytes: Buffer.from(fields.html) });
  if (!fields.body && !html && fields.compressedRtf) {
    const name = names.take('body.rtf');
    try {
      parts.push({ name, bytes: Buffer.from((await loadDecompressRtf())(Array.from(fields.compressedRtf))) });
    } catch (error) {
      parts.push({ name, failed: `msg: RTF body not decompressed (${message(error)})` });
    }
  }
  for (const [index, attachment] of (fields.attachments ?? []).entries()) {
    if (parts.length > options.maxEntries) break;
    const name = names.take(attachmentName(attachment, index + 1));
    try {
      const { content } = reader.getAttachment(attachment);
      parts.push({ name, bytes: Buffer.from(content.buffer, content.byteOffset, content.byteLength), ...encryption(attachment) });
    } catch (error) {
      // An attachment with no data stream, or an embedded message msgreader cannot rewrite.
      parts.push({ name, failed: `msg: attachment not read (${message(error)})` });
    }
  }
  yield* partEvents(parts, level, walk);
}

/** The parts as members, in order, each one failed or encrypted as a coverage entry at its own location. */
async function* partEvents(parts: readonly Part[], level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  let count = 0;
  for (const part of parts) {
    if (walk.stopped) return;
    if (++count > options.maxEntries) return yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'further parts are not inspected');
    const location = memberLocation(level, part.name);
    if ('failed' in part) {
      yield coverageEvent({ location, reason: 'corrupt-archive', detail: part.failed, incomplete: true });
      continue;
    }
    if (part.encrypted) {
      yield coverageEvent({ location, reason: 'encrypted', detail: `${part.encrypted}: its content is not inspected`, incomplete: true });
      continue;
    }
    const refused = admit(walk, location, part.bytes.length);
    if (refused) return yield refused;
    yield* walk.member(level, { name: part.name, size: part.bytes.length, content: new BufferContent(part.bytes) });
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * An attachment's member name: its long file name as sent (one path segment, as for an .eml), else
 * `part-N`; an embedded message is named for its display name or subject, with `.msg`.
 */
function attachmentName(attachment: FieldsData, index: number): string {
  if (!attachment.innerMsgContent) return safeName(attachment.fileName) ?? safeName(attachment.fileNameShort) ?? `part-${index}`;
  const name = safeName(attachment.name) ?? safeName(attachment.innerMsgContentFields?.subject) ?? `message-${index}`;
  return name.toLowerCase().endsWith('.msg') ? name : `${name}.msg`;
}

const corrupt = (level: Level, why: string): SourceEvent =>
  coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: `msg: not parsed (${why})`, incomplete: true });

/** An S/MIME message's body travels as one attachment (`smime.p7m`), readable only with the recipient's key. */
function encryption(attachment: FieldsData): { encrypted: string } | undefined {
  const type = attachment.attachMimeTag?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && SMIME.has(type) ? { encrypted: `S/MIME (${type}) part` } : undefined;
}
