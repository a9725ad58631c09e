// Builds e-mail messages the way mail clients write them (multipart, base64 wrapped at 76, quoted-printable
// with soft line breaks), for the e-mail container tests. Kept apart from the parser under test: it only
// encodes, and the encoders are Node's own (base64) or the short QP rule of RFC 2045 6.7.

/** One MIME part. */
export interface Part {
  type: string;
  body: Buffer | string;
  encoding?: 'base64' | 'quoted-printable' | '7bit';
  filename?: string;
  disposition?: 'attachment' | 'inline';
  contentId?: string;
}

const wrap = (text: string, width = 76): string => text.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n').replace(/\r\n$/, '');

/** Quoted-printable (RFC 2045 6.7): `=XX` for what is not printable, soft breaks (`=` CRLF) every 75 characters. */
export function quotedPrintable(text: string): string {
  const encoded = [...Buffer.from(text, 'utf8')]
    .map((b) =>
      b === 0x0a ? '\n' : (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return encoded
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let rest = line;
      while (rest.length > 75) {
        let cut = 75;
        // Never split an =XX escape.
        const eq = rest.lastIndexOf('=', cut - 1);
        if (eq > cut - 3) cut = eq;
        out.push(`${rest.slice(0, cut)}=`);
        rest = rest.slice(cut);
      }
      out.push(rest);
      return out.join('\r\n');
    })
    .join('\r\n');
}

export function encodePart(part: Part): string {
  const encoding = part.encoding ?? (typeof part.body === 'string' ? '7bit' : 'base64');
  const headers = [`Content-Type: ${part.type}${part.filename ? `; name="${part.filename}"` : ''}`, `Content-Transfer-Encoding: ${encoding}`];
  if (part.disposition) headers.push(`Content-Disposition: ${part.disposition}${part.filename ? `; filename="${part.filename}"` : ''}`);
  if (part.contentId) headers.push(`Content-ID: <${part.contentId}>`);
  const raw = typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : part.body;
  const body =
    encoding === 'base64' ? wrap(raw.toString('base64')) : encoding === 'quoted-printable' ? quotedPrintable(raw.toString('utf8')) : raw.toString('utf8');
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** A whole message: headers, then one part or a multipart/mixed (or `multipart` subtype) of several. */
export function message(subject: string, parts: Part[], multipart = 'mixed', boundary = `b-${subject.length}-${parts.length}`): Buffer {
  const head = `From: Ops <ops@contractor.example>\r\nTo: archive@contractor.example\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  if (parts.length === 1) return Buffer.from(`${head}${encodePart(parts[0]!)}\r\n`);
  const body = parts.map((part) => `--${boundary}\r\n${encodePart(part)}\r\n`).join('');
  return Buffer.from(`${head}Content-Type: multipart/${multipart}; boundary="${boundary}"\r\n\r\n${body}--${boundary}--\r\n`);
}

/** An mbox of `messages` (mboxrd): a From_ line before each, body lines starting with `>*From ` quoted. */
export function mbox(messages: Buffer[]): Buffer {
  return Buffer.from(
    messages
      .map((m, i) => {
        const text = m
          .toString('latin1')
          .replace(/\r\n/g, '\n')
          .replace(/^(>*From )/gm, '>$1');
        return `From ops@contractor.example Mon Nov  ${(i % 9) + 1} 10:00:00 2026\n${text}${text.endsWith('\n') ? '' : '\n'}\n`;
      })
      .join(''),
    'latin1',
  );
}
