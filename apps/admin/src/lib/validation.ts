import { API_LIMITS } from '../api/schema.gen';
/** Same rule as the server: `^[A-Za-z_][A-Za-z0-9_]*$`, at most 128 characters. */
export const CREDENTIAL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The redactor ignores shorter values (security.md): stored, but not masked in output. */
export const MIN_REDACTABLE_LENGTH = 8;

/** The server's admin password policy (it says so in a 422 detail too). */
export const MIN_PASSWORD_LENGTH = 12;

/** The server refuses export passphrases shorter than this. */
export const MIN_PASSPHRASE_LENGTH = 12;

export function credentialNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter a name.';
  if (name.length > 128) return 'Use at most 128 characters.';
  if (!CREDENTIAL_NAME_PATTERN.test(name))
    return 'Use letters, digits and underscores, not starting with a digit (like STRIPE_API_KEY).';
  return undefined;
}

/** `undefined` when the two entries are a usable new password. */
export function newPasswordProblem(password: string, confirm: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password !== confirm) return 'The two entries do not match.';
  return undefined;
}

export type Strength = 'too short' | 'weak' | 'fair' | 'strong';

/**
 * A rough hint, not a guarantee: length counts most (a passphrase of several words beats a short
 * jumble), character variety a little. Anyone with the export file can try passphrases offline.
 */
export function passphraseStrength(p: string): Strength {
  if (p.length < MIN_PASSPHRASE_LENGTH) return 'too short';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const distinct = new Set(p).size;
  if (distinct < 6) return 'weak';
  const score = p.length + classes * 3 + (/\s/.test(p) ? 4 : 0);
  if (score >= 30) return 'strong';
  if (score >= 20) return 'fair';
  return 'weak';
}

/** The server's limit on the hosts of one brokered credential. */
export const MAX_BROKER_HOSTS = API_LIMITS.brokerHosts;

/** A textarea of host entries, one per line (ports may hold commas: `host:443,8443`). */
export function hostLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * A light check of a brokered credential's hosts before asking the server, which checks each
 * entry (a DNS name or `*.name`, optional ports) and names the one it refuses.
 */
export function brokerHostsProblem(hosts: readonly string[]): string | undefined {
  if (hosts.length === 0) return 'Enter at least one host the value may be sent to.';
  if (hosts.length > MAX_BROKER_HOSTS)
    return `Use at most ${MAX_BROKER_HOSTS} hosts (${hosts.length} entered).`;
  return undefined;
}
