import { closestMatch } from 'leven';
import { z } from 'zod';

/**
 * The keys the schema allows in the object at `keyPath` of `data`, found by walking the schema the
 * way zod walked the data: through defaults, optionals and arrays, and into the member of a
 * discriminated union that the data's discriminator picks (a `retention` requirement knows
 * `maxAgeDays`, a `location` one does not).
 */
export function knownKeysAt(schema: z.ZodType, keyPath: readonly PropertyKey[], data: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  let value = data;
  for (let step = 0; current; ) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDiscriminatedUnion) {
      current = unionMember(current, value);
    } else if (step === keyPath.length) {
      return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
    } else if (current instanceof z.ZodArray) {
      current = current.element as z.ZodType;
      value = Array.isArray(value) ? value[keyPath[step] as number] : undefined;
      step++;
    } else if (current instanceof z.ZodObject) {
      const key = String(keyPath[step]);
      current = current.shape[key] as z.ZodType | undefined;
      value = isRecord(value) ? value[key] : undefined;
      step++;
    } else {
      return [];
    }
  }
  return [];
}

function unionMember(union: z.ZodDiscriminatedUnion, value: unknown): z.ZodType | undefined {
  const discriminator = union.def.discriminator;
  const wanted = isRecord(value) ? value[discriminator] : undefined;
  return union.options.find((option) => {
    const literal = option instanceof z.ZodObject ? option.shape[discriminator] : undefined;
    return literal instanceof z.ZodLiteral && literal.values.has(wanted as never);
  }) as z.ZodType | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The known key an unknown one most likely meant, or undefined when none is close: at most one edit
 * for short keys, two from 6 characters, three from 9 (`authorised` -> `authorized`,
 * `maxAgeDay` -> `maxAgeDays`, `remediaton` -> `remediation`). Case is ignored when comparing, so
 * `MaxAgeDays` finds `maxAgeDays`; keys already present are not suggested again.
 */
export function closestKey(unknown: string, known: readonly string[], present: ReadonlySet<string> = new Set()): string | undefined {
  const candidates = known.filter((key) => !present.has(key));
  const maxDistance = unknown.length >= 9 ? 3 : unknown.length >= 6 ? 2 : 1;
  const lowered = closestMatch(
    unknown.toLowerCase(),
    candidates.map((key) => key.toLowerCase()),
    { maxDistance },
  );
  return lowered === undefined ? undefined : candidates.find((key) => key.toLowerCase() === lowered);
}
