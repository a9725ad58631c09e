import type { Attachment, Email } from 'postal-mime';
import { lazy } from '../../util/lazy.js';
import { BufferContent } from '../archives/content.js';
import { coverageEvent, limitCoverage } from '../archives/errors.js';
import { admit, type Level, memberLocation, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import { htmlToText } from './html-text.js';

const loadPostalMime = lazy(async () => (await import('postal-mime')).default);

/** MIME parts nested deeper than this are a hostile message, not a real one (postal-mime's default is 256). */
const MAX_MIME_NESTING = 64;
/** Header bytes of one message, every part and inline sub-message together. */
const MAX_HEADER_BYTES = 2 * 1024 * 1024;

/** The parser's own limit errors, by code: what each one means in a report. */
const PARSER_LIMITS: Readonly<Record<string, string>> = {
  EMAXNESTINGDEPTH: `MIME parts nested deeper than ${MAX_MIME_NESTING}`,
  EMAXHEADERSIZE: `headers over ${MAX_HEADER_BYTES} bytes`,
  EMAXFORWARDEDADDRESSES: 'forwarded messages holding too many addresses',
};

/**
 * Parses one RFC 5322 message held in memory (postal-mime decodes base64, quoted-printable with its
 * soft line breaks, RFC 2047 words and charsets) and yields its parts as members of `level`:
 * `subject.txt` and `body.txt` (the text parts, or the HTML's text when a message has none), `body.html` as sent (data URIs in it are embedded members of their own), then every
 * attachment and inline part under its own name. Forwarded messages (message/rfc822) are attachments
 * too, so the walk opens them as nested messages (`mail.eml!/forwarded.eml!/photo.jpg`).
 */
export async function* expandMessage(bytes: Buffer, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  let email: Email;
  try {
    const PostalMime = await loadPostalMime();
    email = await PostalMime.parse(bytes, {
      forceRfc822Attachments: true,
      attachmentEncoding: 'arraybuffer',
      maxNestingDepth: MAX_MIME_NESTING,
      maxHeadersSize: MAX_HEADER_BYTES,
      // One more part than members allowed: the message itself is a part.
      maxPartCount: options.maxEntries + 1,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EMAXPARTCOUNT')
      return yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'email: more MIME parts; the message is not inspected');
    const limit = typeof code === 'string' ? PARSER_LIMITS[code] : undefined;
    const detail = `email: ${limit ? `${limit}; the message is not inspected` : `not parsed (${error instanceof Error ? error.message : String(error)})`}`;
    return yield coverageEvent({ location: level.location, reason: 'corrupt-archive', detail, incomplete: true });
  }
  const names = new MemberNames();
  const parts: { name: string; bytes: Buffer; encrypted?: string }[] = [];
  if (email.subject) parts.push({ name: names.take('subject.txt'), bytes: Buffer.from(email.subject, 'utf8') });
  const body = email.text || (email.html ? htmlToText(email.html) : '');
  if (body) parts.push({ name: names.take('body.txt'), bytes: Buffer.from(body, 'utf8'), ...encryption(undefined, body) });
  if (email.html) parts.push({ name: names.take('body.html'), bytes: Buffer.from(email.html, 'utf8') });
  email.attachments.forEach((attachment, index) => {
    const bytes = attachmentBytes(attachment);
    parts.push({ name: names.take(attachmentName(attachment, index + 1)), bytes, ...encryption(attachment.mimeType, bytes.toString('latin1', 0, 64)) });
  });
  let count = 0;
  for (const part of parts) {
    if (walk.stopped) return;
    if (++count > options.maxEntries) return yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'further parts are not inspected');
    const location = memberLocation(level, part.name);
    if (part.encrypted && part.name !== 'body.txt') {
      yield coverageEvent({ location, reason: 'encrypted', detail: `${part.encrypted}: its content is not inspected`, incomplete: true });
      continue;
    }
    const refused = admit(walk, location, part.bytes.length);
    if (refused) return yield refused;
    yield* walk.member(level, { name: part.name, size: part.bytes.length, content: new BufferContent(part.bytes) });
    // A body may quote an encrypted message inline among clear text: the clear text is read, the rest reported.
    if (part.encrypted) yield coverageEvent({ location, reason: 'encrypted', detail: `${part.encrypted} in the text: it is not inspected`, incomplete: true });
  }
}

export const SMIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

/** Why a part cannot be read without the recipient's key (S/MIME, OpenPGP), if it cannot. */
function encryption(mimeType: string | undefined, start: string): { encrypted: string } | undefined {
  if (mimeType !== undefined && SMIME.has(mimeType)) return { encrypted: `S/MIME (${mimeType}) part` };
  if (mimeType === undefined ? start.includes('-----BEGIN PGP MESSAGE-----') : start.trimStart().startsWith('-----BEGIN PGP MESSAGE-----')) {
    return { encrypted: 'OpenPGP message' };
  }
  return undefined;
}

function attachmentBytes(attachment: Attachment): Buffer {
  const { content } = attachment;
  if (typeof content === 'string') return Buffer.from(content, attachment.encoding === 'base64' ? 'base64' : 'utf8');
  return content instanceof ArrayBuffer ? Buffer.from(content) : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'message/rfc822': '.eml',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/csv': '.csv',
  'application/json': '.json',
  'application/zip': '.zip',
};

/**
 * An attachment's member name: its file name as sent, reduced to one path segment without control
 * characters (a name is the sender's: `../../x` or a bidi override must not shape the location), else
 * `part-N` with the extension of its type. A forwarded message is `forwarded-N.eml` unless named.
 */
export function attachmentName(attachment: Attachment, index: number): string {
  const sent = safeName(attachment.filename);
  if (sent) return sent;
  const type = attachment.mimeType.split(';')[0]!.trim();
  return `${type === 'message/rfc822' ? 'forwarded' : 'part'}-${index}${EXTENSIONS[type] ?? ''}`;
}

/** A name as its sender wrote it, reduced to one path segment without control or bidi characters; undefined when nothing is left. */
export function safeName(sent: string | null | undefined): string | undefined {
  const name = sent
    ?.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\]/g, '_')
    .trim();
  return name && name !== '.' && name !== '..' ? name : undefined;
}

/** Member names unique within one message: a second `photo.jpg` becomes `photo-2.jpg`. */
export class MemberNames {
  private readonly used = new Set<string>();
  take(name: string): string {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 2; this.used.has(candidate); n++) candidate = `${stem}-${n}${extension}`;
    this.used.add(candidate);
    return candidate;
  }
}
