// @ts-check
/**
 * An Outlook message writer for tests and the hiding-places bench ([MS-OXMSG]), as a compound file
 * written with SheetJS's cfb (a dependency: custody reads compound files with it). Outlook writes more
 * properties than these; a reader that goes by the stream names (msgreader, custody) needs no more.
 */
import CFB from 'cfb';

/**
 * An attachment of a message: a file, or an embedded message.
 * @typedef {{ name: string; data: Buffer; mimeType?: string } | { name: string; message: MsgSpec }} MsgAttachment
 */

/**
 * What a message holds.
 * @typedef {object} MsgSpec
 * @property {string} [subject]
 * @property {string} [body]
 * @property {string} [html]
 * @property {MsgAttachment[]} [attachments]
 */

/** cfb checks every added path against every other (quadratic): a message nested 200 deep took minutes. Paths here are unique by construction. */
const UNSAFE = { unsafe: true };

const utf16 = (/** @type {string} */ text) => Buffer.from(text, 'utf16le');

/**
 * The message's compound file: the property streams Outlook writes for a subject, a plain and an
 * HTML body, and attachments (`__attach_version1.0_#N` storages: display name in 3001001F, data in
 * 37010102, long name in 3707001F, MIME type in 370E001F; an embedded message in a 3701000D storage).
 * Only the variable-length properties are written (their fixed entries in `__properties_version1.0`
 * are left out).
 * @param {MsgSpec} spec
 * @returns {Buffer}
 */
export function buildMsg(spec) {
  const cfb = CFB.utils.cfb_new();
  addMessage(cfb, '', spec, 32);
  return Buffer.from(/** @type {Uint8Array} */ (CFB.write(cfb, { type: 'buffer' })));
}

/** @param {CFB.CFB$Container} cfb @param {string} at @param {MsgSpec} spec @param {number} headerBytes */
function addMessage(cfb, at, spec, headerBytes) {
  const add = (/** @type {string} */ name, /** @type {Buffer} */ data) => CFB.utils.cfb_add(cfb, `${at}/${name}`, data, UNSAFE);
  add('__properties_version1.0', Buffer.alloc(headerBytes));
  if (spec.subject !== undefined) add('__substg1.0_0037001F', utf16(spec.subject));
  if (spec.body !== undefined) add('__substg1.0_1000001F', utf16(spec.body));
  if (spec.html !== undefined) add('__substg1.0_10130102', Buffer.from(spec.html, 'utf8'));
  (spec.attachments ?? []).forEach((attachment, i) => {
    const folder = `${at}/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
    CFB.utils.cfb_add(cfb, `${folder}/__properties_version1.0`, Buffer.alloc(8), UNSAFE);
    CFB.utils.cfb_add(cfb, `${folder}/__substg1.0_3001001F`, utf16(attachment.name), UNSAFE);
    if ('data' in attachment) {
      CFB.utils.cfb_add(cfb, `${folder}/__substg1.0_3707001F`, utf16(attachment.name), UNSAFE);
      CFB.utils.cfb_add(cfb, `${folder}/__substg1.0_37010102`, attachment.data, UNSAFE);
      if (attachment.mimeType) CFB.utils.cfb_add(cfb, `${folder}/__substg1.0_370E001F`, utf16(attachment.mimeType), UNSAFE);
    } else addMessage(cfb, `${folder}/__substg1.0_3701000D`, attachment.message, 24);
  });
}
