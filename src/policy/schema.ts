import { z } from 'zod';

/** Placeholder: the full policy schema is being written (see issue 2). */
export const MetadataMarkerSchema = z.strictObject({
  /** Metadata field name as exifr reports it (Make, Model, BodySerialNumber, Artist, Copyright, ImageDescription, or an XMP field). */
  field: z.string().min(1),
  /** Exact value (case-sensitive). */
  equals: z.string().optional(),
  /** Regular expression (JavaScript syntax) the value must match. */
  matches: z.string().optional(),
  /** The value must be one of these. */
  oneOf: z.array(z.string()).optional(),
  /** Asset class given to images carrying this marker. */
  asset: z.string().min(1),
});
export type MetadataMarker = z.infer<typeof MetadataMarkerSchema>;
