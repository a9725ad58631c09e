import CFB from 'cfb';

/** A compound document that is not an Outlook message: a Word file's streams. */
export function wordDocument(): Buffer {
  const cfb = CFB.utils.cfb_new();
  CFB.utils.cfb_add(cfb, '/WordDocument', Buffer.alloc(5000, 7));
  CFB.utils.cfb_add(cfb, '/1Table', Buffer.alloc(700, 1));
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}
