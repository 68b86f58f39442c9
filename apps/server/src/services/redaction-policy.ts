import { variantLengthBound } from '@airlock/redactor';

/**
 * The shortest value output redaction masks (security.md: 8). Shorter values are stored and
 * usable, but the admin UI flags them: they would not be scrubbed from script output.
 */
export const MIN_REDACTABLE_LENGTH = 8;

export function isRedactable(value: string): boolean {
  return Buffer.byteLength(value, 'utf8') >= MIN_REDACTABLE_LENGTH;
}

/**
 * The longest credential value, in UTF-16 code units (as zod and JavaScript count): PEM keys and
 * JSON service accounts fit. Profile key secrets are far shorter.
 */
export const MAX_CREDENTIAL_VALUE_LENGTH = 65_536;

/**
 * Raw output captured per stream past the output cap, so that a secret straddling the cap is
 * still whole when redacted. Fixed from the largest value Airlock accepts, never from the stored
 * secrets: where a capture stops, and what is withheld, must tell a script nothing about them.
 */
export const OUTPUT_CAPTURE_MARGIN = variantLengthBound(MAX_CREDENTIAL_VALUE_LENGTH);
