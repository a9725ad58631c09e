import { Readable } from 'node:stream';
import { AgencyPlatesError, buildPlateSet, readAgencyPlates } from '../identify/plates/agency.js';
import { redactPlates } from '../postprocess/redact.js';
import type { PlateSet, Reference } from '../references/schema.js';
import { UsageError } from '../util/errors.js';
import type { PlateCollector } from './create.js';

/**
 * Recognises the agency's plate-read files among the reference data (CSV/TSV with a plate column)
 * and collects their plates, to be stored only as keyed digests. Without a key, finding plate files
 * is an error: silently leaving plates out would make every later audit blind to them.
 */
export function plateCollector(key: Buffer | undefined, column?: string, known?: (normalised: string) => boolean): PlateCollector {
  const plates = new Set<string>();
  const sources: PlateSet['sources'] = [];
  // `known`: the plates a store being appended to already holds (as digests), masked as well.
  const redact = (text: string): string => (plates.size === 0 && !known ? text : redactPlates(text, (plate) => plates.has(plate) || known?.(plate) === true));
  return {
    async offer(reference: Reference, content: Buffer): Promise<boolean> {
      try {
        const found = await readAgencyPlates(Readable.from([content]), column ? { column } : {});
        if (found.plates.size === 0) return false;
        for (const plate of found.plates) plates.add(plate);
        sources.push({ id: reference.id, column: found.column, rows: found.rows });
        return true;
      } catch (error) {
        // Not every text file is a plate-read export: a file without a plate column is simply not one.
        if (error instanceof AgencyPlatesError) return false;
        throw error;
      }
    },
    redact,
    finish(): PlateSet | undefined {
      if (plates.size === 0) return undefined;
      if (!key) {
        const files = sources.map((s) => redact(s.id)).join(', ');
        throw new UsageError(`plate-read files found (${files}) but no plate key: set CUSTODY_PLATE_KEY or pass --plate-key-file`);
      }
      sources.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return buildPlateSet(plates, key, sources);
    },
  };
}
