/**
 * The shortest value output redaction masks (security.md: 8). Shorter values are stored and
 * usable, but the admin UI flags them: they would not be scrubbed from script output.
 */
export const MIN_REDACTABLE_LENGTH = 8;

export function isRedactable(value: string): boolean {
  return Buffer.byteLength(value, 'utf8') >= MIN_REDACTABLE_LENGTH;
}
