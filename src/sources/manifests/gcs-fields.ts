/**
 * Encryption label for a GCS object: `GCS-CSEK` (customer-supplied key), `GCS-CMEK` (Cloud KMS key),
 * otherwise undefined: Google-managed encryption is the default and is only asserted when the
 * listing has the fields that would show otherwise (see `googleManaged`).
 */
export function gcsEncryption(kmsKeyName: string | undefined, customerEncryption: boolean, googleManaged = false): string | undefined {
  if (customerEncryption) return 'GCS-CSEK';
  if (kmsKeyName) return 'GCS-CMEK';
  return googleManaged ? 'GCS-GOOGLE-MANAGED' : undefined;
}
