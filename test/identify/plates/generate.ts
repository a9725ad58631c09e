/**
 * Deterministic generators for plate tests and the benchmark: plates of common shapes, their
 * spellings (case, spaces, dashes, dots, embedded in text) and CSV/JSON/log files holding them.
 */

/** mulberry32: small, seedable, good enough to vary test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const DIGITS = '0123456789';
/** L = letter, D = digit: US, UK, EU, Israeli-style shapes. */
const SHAPES = ['LLLDDDD', 'DLLLDDD', 'LLDDLLL', 'LLDDDLL', 'LDDDLLL', 'DDDDDDD', 'LLLDDD', 'DDLLLDD'];

export function makePlates(count: number, seed: number, exclude: ReadonlySet<string> = new Set()): string[] {
  const rng = prng(seed);
  const pick = (alphabet: string): string => alphabet[Math.floor(rng() * alphabet.length)]!;
  const plates = new Set<string>();
  while (plates.size < count) {
    const shape = SHAPES[Math.floor(rng() * SHAPES.length)]!;
    const plate = [...shape].map((c) => pick(c === 'L' ? LETTERS : DIGITS)).join('');
    if (!exclude.has(plate)) plates.add(plate);
  }
  return [...plates];
}

/** Splits at letter/digit boundaries (`ABC1234` → `ABC`, `1234`), or in two when it has none. */
function groups(plate: string): string[] {
  const parts = plate.match(/[A-Z]+|[0-9]+/g) ?? [plate];
  if (parts.length > 3) return [parts.slice(0, 2).join(''), ...parts.slice(2)].slice(0, 3);
  if (parts.length === 1) return [plate.slice(0, 3), plate.slice(3)];
  return parts;
}

/** Every way a plate is written that the scan must find. */
export function spellings(plate: string): string[] {
  const parts = groups(plate);
  const out = new Set<string>([plate, plate.toLowerCase(), plate[0]!.toLowerCase() + plate.slice(1)]);
  for (const sep of [' ', '-', '.', ' - ']) {
    out.add(parts.join(sep));
    out.add(parts.join(sep).toLowerCase());
  }
  return [...out];
}

/** One spelling, picked at random. */
export function spell(plate: string, rng: () => number): string {
  const all = spellings(plate);
  return all[Math.floor(rng() * all.length)]!;
}

const MESSAGES = ['read ok', 'queued for review', 'retry after timeout', 'low confidence', 'matched watchlist', 'cache miss'];

/** A log line: timestamp, level, ids, a message, and `plate` embedded one of several ways. */
export function logLine(n: number, plate: string | undefined, rng: () => number): string {
  const ts = new Date(Date.UTC(2026, 0, 1) + n * 137).toISOString();
  const req = Math.floor(rng() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  const message = MESSAGES[n % MESSAGES.length];
  const lane = 1 + (n % 8);
  if (plate === undefined) return `${ts} INFO lane=${lane} cam=cam-0${lane} req=${req} ${message}`;
  const forms = [
    `${ts} INFO lane=${lane} req=${req} plate=${plate} ${message}`,
    `${ts} WARN vehicle ${plate} seen at lane ${lane} (${message})`,
    `${ts} DEBUG {"lpn":"${plate}","lane":${lane},"req":"${req}"}`,
    `${ts} INFO [${plate}] ${message}`,
  ];
  return forms[n % forms.length]!;
}

/** A CSV of plate reads; the plate sits in `plate_no` and sometimes also in the free-text note. */
export function csvText(plates: readonly string[], rng: () => number, delimiter = ','): string {
  const rows = [['time', 'lane', 'plate_no', 'note'].join(delimiter)];
  plates.forEach((plate, i) => {
    const written = spell(plate, rng);
    const note = i % 3 === 0 ? `"re-read of ${spell(plate, rng)}, ok"` : 'ok';
    rows.push([new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), String(i % 8), written, note].join(delimiter));
  });
  return `${rows.join('\n')}\n`;
}

export function jsonlText(plates: readonly string[], rng: () => number): string {
  return plates.map((plate, i) => `${JSON.stringify({ ts: i, read: { lane: i % 8, vehicle: { lpn: spell(plate, rng) } } })}\n`).join('');
}

export function jsonText(plates: readonly string[], rng: () => number): string {
  return JSON.stringify({ site: 'lane-4', reads: plates.map((plate, i) => ({ id: i, vehicle: { plate: spell(plate, rng) } })) }, null, 2);
}
