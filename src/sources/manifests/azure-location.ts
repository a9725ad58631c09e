/** Placeholder account when a listing does not name one; parentheses are illegal in account names. */
export const UNKNOWN_ACCOUNT = '(unknown-account)';

/**
 * Azure blob location: `azure://<account>/<container>/<blob>` (chosen over the https endpoint URL so
 * policies can name authorised prefixes the same way for every cloud: s3://, gs://, azure://).
 */
export function azureLocation(account: string | undefined, container: string, blob: string): string {
  return `azure://${account ?? UNKNOWN_ACCOUNT}/${container}/${blob}`;
}

/** The account name from an endpoint such as `https://acct.blob.core.windows.net`, if it is one. */
export function accountFromEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  const m = /^https?:\/\/([a-z0-9]+)\.blob\./i.exec(endpoint);
  return m?.[1]?.toLowerCase();
}

/**
 * Encryption label for an Azure blob. Azure always encrypts at rest, so `ServerEncrypted` alone says
 * little: a customer-provided key (CPK) or an encryption scope is what distinguishes blobs.
 * Labels: `AZURE-CPK`, `AZURE-SCOPE:<name>`, `AZURE-SSE` (Microsoft-managed), `NOT-SSE`.
 */
export function azureEncryption(
  serverEncrypted: string | boolean | undefined | null,
  scope: string | undefined | null,
  cpkSha256: string | undefined | null,
): string | undefined {
  if (cpkSha256) return 'AZURE-CPK';
  if (scope) return `AZURE-SCOPE:${scope}`;
  if (serverEncrypted === true || serverEncrypted === 'true' || serverEncrypted === 'True') return 'AZURE-SSE';
  if (serverEncrypted === false || serverEncrypted === 'false' || serverEncrypted === 'False') return 'NOT-SSE';
  return undefined;
}
