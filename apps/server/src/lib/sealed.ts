import { fieldContext, type Keyring } from '@airlock/vault';

/**
 * Where each encrypted column's blobs are bound (AES-GCM associated data): a blob copied to
 * another row or column fails to open.
 */
export const credentialValueContext = (credentialId: string) =>
  fieldContext('credentials', 'value', credentialId);
export const profileSecretContext = (profileId: string) =>
  fieldContext('profiles', 'secret', profileId);

/** Thrown when a stored blob does not open: data damage or a wrong key, never the client's fault. */
export class SealedDataError extends Error {
  override name = 'SealedDataError';
}

export function sealText(keyring: Keyring, value: string, context: string): Buffer {
  return keyring.seal(Buffer.from(value, 'utf8'), context);
}

/**
 * Opens a blob the server itself wrote. A failure here is an internal error (logged as such,
 * generic 500 out); `where` names the row for the log, never the value.
 */
export function openText(keyring: Keyring, blob: Uint8Array, context: string): string {
  const r = keyring.open(blob, context);
  if (!r.ok) throw new SealedDataError(`stored blob did not open (${context})`);
  const text = r.plaintext.toString('utf8');
  r.plaintext.fill(0);
  return text;
}
