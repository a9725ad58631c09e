/** Commander accumulator for repeatable options (`--format a --format b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
