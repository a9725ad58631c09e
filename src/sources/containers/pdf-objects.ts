import type * as PdfLib from 'pdf-lib';

// Reading pdf-lib's object model without its throwing lookups: a hostile file puts any type anywhere,
// and one wrong type must cost that image or page, not the document.

/** pdf-lib's classes, loaded on first use (pdf.ts). */
export type Lib = typeof PdfLib;

/** A document's objects as pdf-lib parsed them, with the classes to test them against. */
export interface Objects {
  lib: Lib;
  context: PdfLib.PDFContext;
}

/** An image XObject found in the document, and the member name it is given. */
export interface FoundImage {
  ref: PdfLib.PDFRef;
  stream: PdfLib.PDFRawStream;
  /** `page-3/image-2` (the second image the third page's resources name) or `object-12` (on no page). */
  name: string;
}

/** `dict[key]`, references followed. */
export function get(objects: Objects, dict: PdfLib.PDFDict, key: string): PdfLib.PDFObject | undefined {
  return objects.context.lookup(dict.get(objects.lib.PDFName.of(key)));
}

export const nameOf = (objects: Objects, value: PdfLib.PDFObject | undefined): string | undefined =>
  value instanceof objects.lib.PDFName ? value.decodeText() : undefined;

export const numberOf = (objects: Objects, value: PdfLib.PDFObject | undefined): number | undefined =>
  value instanceof objects.lib.PDFNumber ? value.asNumber() : undefined;

/** The dictionary of a dictionary or a stream. */
export function dictOf(objects: Objects, value: PdfLib.PDFObject | undefined): PdfLib.PDFDict | undefined {
  if (value instanceof objects.lib.PDFDict) return value;
  if (value instanceof objects.lib.PDFRawStream) return value.dict;
  return undefined;
}

/** The items of an array (references followed), or the value alone. */
export function items(objects: Objects, value: PdfLib.PDFObject | undefined): (PdfLib.PDFObject | undefined)[] {
  if (value instanceof objects.lib.PDFArray) return value.asArray().map((item) => objects.context.lookup(item));
  return value === undefined ? [] : [value];
}

const isImage = (objects: Objects, stream: PdfLib.PDFRawStream): boolean => nameOf(objects, get(objects, stream.dict, 'Subtype')) === 'Image';

/**
 * Every image XObject of the document, each once: first those the pages name, in page order (inside
 * form XObjects too), then those no page names (an image can be kept in a PDF without being shown).
 * `maxPages` bounds the page tree walked; cycles in it are ignored.
 */
export function findImages(objects: Objects, maxPages: number): FoundImage[] {
  const { lib, context } = objects;
  const found = new Map<string, FoundImage>();
  const visited = new Set<PdfLib.PDFObject>();
  let pages = 0;
  const fromResources = (resources: PdfLib.PDFDict | undefined, page: number, counter: { n: number }): void => {
    if (!resources || visited.has(resources)) return;
    visited.add(resources);
    const xobjects = dictOf(objects, get(objects, resources, 'XObject'));
    for (const [, value] of xobjects?.entries() ?? []) {
      const stream = context.lookup(value);
      if (!(value instanceof lib.PDFRef) || !(stream instanceof lib.PDFRawStream)) continue;
      if (isImage(objects, stream)) {
        counter.n += 1;
        const key = value.toString();
        if (!found.has(key)) found.set(key, { ref: value, stream, name: `page-${page}/image-${counter.n}` });
      } else if (nameOf(objects, get(objects, stream.dict, 'Subtype')) === 'Form') {
        fromResources(dictOf(objects, get(objects, stream.dict, 'Resources')), page, counter);
      }
    }
  };
  const walk = (node: PdfLib.PDFObject | undefined, inherited: PdfLib.PDFDict | undefined): void => {
    const dict = dictOf(objects, node);
    if (!dict || visited.has(dict) || pages >= maxPages) return;
    visited.add(dict);
    const resources = dictOf(objects, get(objects, dict, 'Resources')) ?? inherited;
    const kids = get(objects, dict, 'Kids');
    if (kids instanceof lib.PDFArray) {
      for (const kid of items(objects, kids)) walk(kid, resources);
      return;
    }
    pages += 1;
    fromResources(resources, pages, { n: 0 });
  };
  const root = dictOf(objects, context.lookup(context.trailerInfo.Root));
  try {
    if (root) walk(get(objects, root, 'Pages'), undefined);
  } catch {
    // A page tree too deep for the stack, or broken: its images are still found below, by object.
  }
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    if (object instanceof lib.PDFRawStream && isImage(objects, object) && !found.has(ref.toString())) {
      found.set(ref.toString(), { ref, stream: object, name: `object-${ref.objectNumber}` });
    }
  }
  return [...found.values()];
}
