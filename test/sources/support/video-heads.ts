/** The first bytes of each video format custody opens, as its magic tells it (no playable video). */
export const VIDEO_HEADS: Record<string, () => Promise<Buffer>> = {
  mp4: async () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isommp41')]),
  mov: async () => Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  \0\0\0\0qt  ')]),
  webm: async () => Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, ...Buffer.from('webm')]),
  matroska: async () => Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, ...Buffer.from('matroska')]),
  avi: async () => Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x40, 0, 0, 0]), Buffer.from('AVI LIST')]),
  'mpeg-ts': async () => Buffer.concat([0, 1, 2].map(() => Buffer.concat([Buffer.from([0x47, 0x40, 0x00, 0x10]), Buffer.alloc(184, 0xff)]))),
  'mpeg-ps': async () => Buffer.from([0, 0, 1, 0xba, 0x44, 0, 4, 0, 4, 1]),
  flv: async () => Buffer.concat([Buffer.from('FLV'), Buffer.from([1, 5, 0, 0, 0, 9])]),
  asf: async () => Buffer.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c]),
};
