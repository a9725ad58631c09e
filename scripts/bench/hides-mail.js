// @ts-check
/**
 * The hiding-places bench's mail and base64 kinds: e-mail (.eml attachment, inline cid part,
 * forwarded message/rfc822, mbox; plates in base64 and in quoted-printable bodies, soft line breaks
 * inside the plates; Outlook .msg with an attachment, an embedded message, a plate body) and embedded base64 (HTML data URIs, JSON and JSON Lines strings, data URIs in
 * JSON, a zip in JSON, a run in a log, a block wrapped at 76 columns). Every kind gets negatives.
 */
import { buildMsg } from '../synth/msg.js';
import { writeZip } from '../synth/zip.js';

/** @typedef {import('./hides-plant.js').Plant} Plant */
/** @typedef {import('./hides-plant.js').Ref} Ref */

/** @param {Plant} plant */
export async function plantMail(plant) {
  await plantMessages(plant);
  await plantBase64(plant);
}

const b64 = (/** @type {Buffer | string} */ bytes) => Buffer.from(bytes).toString('base64').replace(/(.{76})/g, '$1\r\n');
const head = (/** @type {string} */ subject, /** @type {number} */ i) =>
  `From: ops@contractor.example\r\nTo: analyst@contractor.example\r\nSubject: ${subject}\r\nDate: Mon, ${2 + i} Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}-${i}@contractor.example>\r\nMIME-Version: 1.0\r\n`;
const attachment = (/** @type {Ref} */ r, /** @type {string} */ name) =>
  `Content-Type: image/jpeg; name="${name}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${b64(r.bytes)}\r\n`;
/** @param {string} subject @param {number} i @param {string[]} parts bodies of the parts, headers included */
const multipart = (subject, i, parts, type = 'mixed') => `${head(subject, i)}Content-Type: multipart/${type}; boundary="part-${i}"\r\n\r\n${parts.map((p) => `--part-${i}\r\n${p}`).join('')}--part-${i}--\r\n`;
const TEXT = 'Content-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n';

/**
 * Quoted-printable as a mail client writes it, with a soft line break (=CRLF) in the middle of every
 * plate and `=` written =3D: a scan that does not join soft breaks sees no plate.
 * @param {string[]} lines @param {string[]} plates
 */
function quotedPrintable(lines, plates) {
  const set = new Set(plates);
  return lines.map((line) => line.replace(/=/g, '=3D').replace(/\b[A-Z0-9]{7}\b/g, (p) => (set.has(p) || /\d/.test(p) ? `${p.slice(0, 3)}=\r\n${p.slice(3)}` : p))).join('\r\n');
}

/** @param {Plant} plant */
async function plantMessages(plant) {
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const [a] = pick(1);
      await plant.put('eml attachment', 'e-mail', `mail/attachment-${tag}-${i}.eml`, multipart('capture export', i, [TEXT, attachment(/** @type {Ref} */ (a), `cap-${i}.jpg`)]), { images: [/** @type {Ref} */ (a)], negative });
      const [b] = pick(1);
      const related = [
        `Content-Type: text/html; charset=utf-8\r\n\r\n<p>Lane view:</p><img src="cid:cap${i}@contractor.example">\r\n`,
        `Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <cap${i}@contractor.example>\r\nContent-Disposition: inline\r\n\r\n${b64(/** @type {Ref} */ (b).bytes)}\r\n`,
      ];
      await plant.put('eml inline cid', 'e-mail', `mail/inline-${tag}-${i}.eml`, multipart('lane view', i, related, 'related'), { images: [/** @type {Ref} */ (b)], negative });
      const [c] = pick(1);
      const inner = multipart('original', 50 + i, [TEXT, attachment(/** @type {Ref} */ (c), `orig-${i}.jpg`)]);
      const fwd = multipart('Fwd: original', i, ['Content-Type: text/plain\r\n\r\nforwarding\r\n', `Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n${inner}\r\n`]);
      await plant.put('eml forwarded rfc822', 'e-mail', `mail/forwarded-${tag}-${i}.eml`, fwd, { images: [/** @type {Ref} */ (c)], negative });
    }
    const boxRefs = pick(3);
    const boxPlates = negative ? [] : plant.agencyPlates(30);
    const boxLines = plant.readLines(negative ? plant.otherPlates(30) : boxPlates, negative ? 930 : 130);
    const messages = boxRefs.map((r, i) => multipart(`batch ${i}`, i, [TEXT, attachment(r, `batch-${i}.jpg`)]));
    messages.push(`${head('reads', 9)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(boxLines.join('\r\n'))}\r\n`);
    const mbox = messages.map((m) => `From ops@contractor.example Mon Nov  2 10:00:00 2026\n${m.replaceAll('\r\n', '\n').replace(/^From /gm, '>From ')}\n`).join('');
    await plant.put('mbox (attachments, base64 body)', 'e-mail', `mail/inbox-${tag}.mbox`, mbox, { images: boxRefs, plates: boxPlates.length, negative });
    for (let i = 0; i < 2; i++) {
      const plates = negative ? [] : plant.agencyPlates(30);
      const lines = plant.readLines(negative ? plant.otherPlates(30) : plates, negative ? 940 + i : 140 + i);
      await plant.put('eml base64 body', 'e-mail', `mail/body-b64-${tag}-${i}.eml`, `${head('reads', i)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(lines.join('\r\n'))}\r\n`, { plates: plates.length, negative });
      const qpPlates = negative ? [] : plant.agencyPlates(30);
      const qpLines = plant.readLines(negative ? plant.otherPlates(30) : qpPlates, negative ? 950 + i : 150 + i);
      await plant.put('eml quoted-printable body', 'e-mail', `mail/body-qp-${tag}-${i}.eml`, `${head('reads', i)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(qpLines, qpPlates)}\r\n`, { plates: qpPlates.length, negative });
    }
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const [a] = pick(1);
      const ref = /** @type {Ref} */ (a);
      await plant.put('msg attachment', 'e-mail', `mail/outlook-${tag}-${i}.msg`, buildMsg({ subject: 'capture export', body: 'see attached', attachments: [{ name: `cap-${i}.jpg`, data: ref.bytes, mimeType: 'image/jpeg' }] }), { images: [ref], negative });
      const [b] = pick(1);
      const inner = { subject: 'original', body: 'lane view', attachments: [{ name: `orig-${i}.jpg`, data: /** @type {Ref} */ (b).bytes }] };
      await plant.put('msg embedded message', 'e-mail', `mail/outlook-fwd-${tag}-${i}.msg`, buildMsg({ subject: 'FW: original', body: 'forwarding', attachments: [{ name: 'original.msg', message: inner }] }), { images: [/** @type {Ref} */ (b)], negative });
    }
    const msgPlates = negative ? [] : plant.agencyPlates(30);
    const msgLines = plant.readLines(negative ? plant.otherPlates(30) : msgPlates, negative ? 960 : 160);
    await plant.put('msg plate body', 'e-mail', `mail/outlook-reads-${tag}.msg`, buildMsg({ subject: 'reads', body: msgLines.join('\r\n') }), { plates: msgPlates.length, negative });
  }
}

/** @param {Plant} plant */
async function plantBase64(plant) {
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const html = pick(2);
      const page = `<!doctype html><html><body><h1>Lane report ${i}</h1>${html.map((r, j) => `<figure><img alt="lane ${j}" src="data:image/jpeg;base64,${r.bytes.toString('base64')}"></figure>`).join('\n')}</body></html>\n`;
      await plant.put('HTML data URIs', 'base64', `base64/report-${tag}-${i}.html`, page, { images: html, negative });
      const json = pick(2);
      const doc = { exportedAt: '2026-11-02T10:00:00Z', captures: json.map((r, j) => ({ id: j + 1, camera: 'L3-C07', image: r.bytes.toString('base64') })) };
      await plant.put('JSON base64 strings', 'base64', `base64/captures-${tag}-${i}.json`, `${JSON.stringify(doc, null, 2)}\n`, { images: json, negative });
      const lines = pick(2);
      await plant.put('JSON Lines base64', 'base64', `base64/events-${tag}-${i}.jsonl`, `${lines.map((r, j) => JSON.stringify({ seq: j, kind: 'capture', jpeg: r.bytes.toString('base64') })).join('\n')}\n`, { images: lines, negative });
      const uris = pick(2);
      const withUris = { items: uris.map((r, j) => ({ n: j, thumbnail: `data:image/jpeg;base64,${r.bytes.toString('base64')}` })) };
      await plant.put('JSON data URI strings', 'base64', `base64/gallery-${tag}-${i}.json`, JSON.stringify(withUris), { images: uris, negative });
      const zipped = pick(2);
      const zip = writeZip(zipped.map((r, j) => ({ name: `captures/${j}.jpg`, data: r.bytes, mtime: new Date(Date.UTC(2026, 9, 2)) })));
      await plant.put('JSON base64 zip', 'base64', `base64/bundle-${tag}-${i}.json`, `${JSON.stringify({ bundle: { name: 'captures.zip', content: zip.toString('base64') } })}\n`, { images: zipped, negative });
      const [logged] = pick(1);
      const log = `2026-11-02T10:00:00Z INFO upload started\n2026-11-02T10:00:01Z DEBUG payload=${/** @type {Ref} */ (logged).bytes.toString('base64')}\n2026-11-02T10:00:02Z INFO upload done\n`;
      const [wrapped] = pick(1);
      const pem = `capture attached below\n-----BEGIN CAPTURE-----\n${/** @type {Ref} */ (wrapped).bytes.toString('base64').replace(/(.{76})/g, '$1\n')}\n-----END CAPTURE-----\n`;
      await plant.put('base64 wrapped at 76 columns in text', 'base64', `base64/note-${tag}-${i}.txt`, pem, { images: [/** @type {Ref} */ (wrapped)], negative });
      await plant.put('base64 run in a log', 'base64', `base64/upload-${tag}-${i}.log`, log, { images: [/** @type {Ref} */ (logged)], negative });
    }
  }
}
