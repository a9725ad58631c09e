/**
 * Guards against compound files (OLE2) whose sector chains make SheetJS's cfb allocate far more than
 * the file holds. cfb builds one buffer per chain it starts, walking from every sector not yet seen
 * in file order, and a walk does not stop where it enters a chain already read: a chain laid out
 * backwards (each sector pointing to the one before it) is read 1 + 2 + ... + n times, so a 4 MB
 * file asks for gigabytes. Streams that share sectors are then copied once per stream when the file
 * is rewritten for msgreader. Both are measured here, on the header and the FAT alone, before cfb
 * reads anything.
 */

const HEADER_DIFAT = 109;
const END_OF_CHAIN = -2;
const FREE_SECTOR = -1;

/**
 * How many sectors cfb would walk to build its chains, counted as its own loop does, stopping once
 * `budget` is passed; undefined when the header is not one cfb reads (it then refuses the file itself).
 */
export function sectorsWalked(bytes: Buffer, budget: number): number | undefined {
  if (bytes.length < 512) return undefined;
  const major = bytes.readUInt16LE(0x1a);
  const ssz = major === 3 ? 512 : major === 4 ? 4096 : 0;
  if (ssz === 0 || bytes.length < ssz) return undefined;
  const count = Math.ceil(bytes.length / ssz) - 1;
  const sectorAt = (i: number): [number, number] | undefined => {
    if (!Number.isInteger(i) || i < 0 || i >= count) return undefined;
    const start = (i + 1) * ssz;
    return [start, Math.min(bytes.length, start + ssz)];
  };
  const int32At = (sector: number, offset: number): number | undefined => {
    const range = sectorAt(sector);
    if (!range || range[0] + offset + 4 > range[1]) return undefined;
    return bytes.readInt32LE(range[0] + offset);
  };
  const fatSectors = fatSectorList(bytes, ssz, int32At);
  const next = (j: number): number | undefined => {
    const fat = fatSectors[Math.floor((j * 4) / ssz)];
    if (fat === undefined || !sectorAt(fat)) return undefined;
    return int32At(fat, (j * 4) & (ssz - 1));
  };

  const dirStart = bytes.readInt32LE(0x30);
  const checked = new Uint8Array(count);
  const seenIn = new Int32Array(count);
  let walked = 0;
  for (let i = 0; i < count; i++) {
    let k = i + dirStart;
    if (k >= count) k -= count;
    if (k < 0 || k >= count || checked[k]) continue;
    for (let j: number | undefined = k; j !== undefined && j >= 0 && j < count; ) {
      seenIn[j] = i + 1;
      checked[j] = 1;
      if (++walked > budget) return walked;
      j = next(j);
      if (j !== undefined && j >= 0 && j < count && seenIn[j] === i + 1) break;
    }
  }
  return walked;
}

/** The FAT's sector numbers: the header's 109, then the DIFAT chain's, as cfb collects them (bounded). */
function fatSectorList(bytes: Buffer, ssz: number, int32At: (sector: number, offset: number) => number | undefined): number[] {
  const list: number[] = [];
  for (let j = 0; j < HEADER_DIFAT; j++) {
    const q = bytes.readInt32LE(0x4c + j * 4);
    if (q < 0) break;
    list.push(q);
  }
  let difat = bytes.readInt32LE(0x44);
  let remaining = bytes.readInt32LE(0x48);
  const perSector = ssz / 4 - 1;
  // Only the FAT sectors that cover the file's sectors matter; and a DIFAT chain that loops, which
  // cfb follows until its recursion exhausts the stack, is followed here at most once per sector.
  const needed = Math.ceil(((bytes.length / ssz) * 4) / ssz) + 1;
  for (let steps = 0; difat !== END_OF_CHAIN && difat !== FREE_SECTOR && list.length < needed && steps <= bytes.length / ssz; steps++) {
    for (let i = 0; i < perSector; i++) {
      const q = int32At(difat, i * 4);
      if (q === undefined) return list;
      if (q === END_OF_CHAIN) break;
      list.push(q);
    }
    if (remaining-- < 1) break;
    const following = int32At(difat, ssz - 4);
    if (following === undefined) break;
    difat = following;
  }
  return list;
}
