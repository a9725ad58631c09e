import { PLATE_COLUMN_NAMES } from './agency.js';
import type { PlateMatcher } from './matcher.js';
import { MAX_PART_LENGTH, matchJoined, partName } from './split-fields.js';

/** Items of a plate array joined: a plate split in two or three (`["AB", "12", "CD"]`). */
const MAX_ITEMS = 3;
const MAX_PARTS = 4;
const PLATE_KEYS = new Set<string>(PLATE_COLUMN_NAMES);

interface Container {
  object: boolean;
  /** The key being read in an object: its raw text (undefined when unsafe or held a plate) and its report name. */
  key?: string | undefined;
  name?: string | undefined;
  leading: { text: string; name: string | undefined }[];
  trailing: { text: string; name: string | undefined }[];
  /** An array under a plate key: its scalar items, until a container item spoils it. */
  items?: string[] | undefined;
}

/**
 * The JSON side of split plates (split-fields.ts): per open container, the values of members whose
 * keys name a plate part, joined when the object closes; and the items of a short array under a plate
 * key (`"plate": ["AB", "1234"]`), joined when it closes. Memory: a few short strings per open
 * container, whatever the document's size. `found` is told the matcher index and where (`.{a+b}`).
 */
export class JsonPlateParts {
  private readonly open_: (Container | undefined)[] = [];

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly found: (index: number, where: string) => void,
  ) {}

  /** A container opens at `depth` (1 for the top level). */
  open(depth: number, object: boolean): void {
    const parent = this.open_[depth - 1];
    if (parent?.items) parent.items = undefined;
    const underPlateKey = parent?.object === true && parent.key !== undefined && PLATE_KEYS.has(parent.key.trim().toLowerCase());
    this.open_[depth] = { object, leading: [], trailing: [], ...(!object && underPlateKey ? { items: [] } : {}) };
  }

  /** A key was read in the object at `depth`: `text` raw (undefined when it may be a plate), `name` as reported. */
  key(depth: number, text: string | undefined, name: string | undefined): void {
    const container = this.open_[depth];
    if (!container) return;
    container.key = text;
    container.name = name;
  }

  /** A scalar value (string, number) was read in the container at `depth`. */
  value(depth: number, text: string | undefined): void {
    const container = this.open_[depth];
    if (!container || text === undefined || text.length > MAX_PART_LENGTH) return;
    if (!container.object) {
      if (container.items && container.items.length <= MAX_ITEMS) container.items.push(text);
      return;
    }
    const part = container.key === undefined ? undefined : partName(container.key);
    const list = part === 'leading' ? container.leading : part === 'trailing' ? container.trailing : undefined;
    if (list && list.length < MAX_PARTS) list.push({ text, name: container.name });
  }

  /** The container at `depth` closes: its parts are joined and looked up. */
  close(depth: number): void {
    const container = this.open_[depth];
    this.open_[depth] = undefined;
    if (!container) return;
    for (const leading of container.leading) {
      for (const trailing of container.trailing) {
        const index = matchJoined(this.matcher, leading.text, trailing.text);
        if (index >= 0) this.found(index, `.{${leading.name ?? '*'}+${trailing.name ?? '*'}}`);
      }
    }
    const items = container.items;
    if (items && items.length >= 2 && items.length <= MAX_ITEMS) {
      const index = this.matcher.matchText(items.join(''));
      if (index >= 0) this.found(index, '[+]');
    }
  }
}
