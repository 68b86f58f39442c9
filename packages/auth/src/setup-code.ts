/**
 * The one-time setup code that guards first-visit setup: 140 random bits written as 28 Crockford
 * base32 characters in seven dash-separated groups of four, e.g. `7KQ2-M9XD-…`. Crockford's
 * alphabet has no I, L, O or U, so the code survives being read aloud or retyped; the check
 * ignores case, spaces and dashes and reads O as 0 and I/L as 1.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SETUP_CODE_CHARS = 28;
/** 28 symbols × 5 bits. */
export const SETUP_CODE_BITS = 140;
/** Input longer than this is rejected before normalising (a typed code is ~34 chars). */
const MAX_INPUT_LENGTH = 256;

/**
 * Generates a setup code. 32 divides 256, so `byte & 31` is uniform with no rejection needed.
 *
 * @example
 * const code = generateSetupCode(); // 'Q3ZD-8W1M-…' (34 chars)
 * writeFileSync(join(dataDir, 'setup-code'), `${code}\n`, { mode: 0o600, flag: 'wx' });
 */
export function generateSetupCode(): string {
  const bytes = randomBytes(SETUP_CODE_CHARS);
  let raw = '';
  for (const b of bytes) raw += CROCKFORD[b & 31];
  return (raw.match(/.{4}/g) as string[]).join('-');
}

/**
 * Canonical form of a typed code: uppercase, spaces/dashes/underscores removed, O→0, I/L→1.
 * Returns `null` when what remains is not exactly 28 Crockford symbols.
 *
 * @example
 * normalizeSetupCode(' q3zd 8w1m-… '); // 'Q3ZD8W1M…'
 */
export function normalizeSetupCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return null;
  const s = input
    .toUpperCase()
    .replace(/[\s_-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return s.length === SETUP_CODE_CHARS && /^[0-9A-HJKMNP-TV-Z]+$/.test(s) ? s : null;
}

/**
 * Constant-time check of a typed setup code against the expected one. Never throws; any
 * malformed input is simply `false`. Claiming setup must still be one transaction at the server
 * (this only says whether the code matches).
 *
 * @example
 * if (!verifySetupCode(body.setupCode, codeFromFile)) return forbidden('Invalid setup code');
 */
export function verifySetupCode(input: unknown, expected: string): boolean {
  const want = normalizeSetupCode(expected);
  // The expected code is ours; if it is malformed, something is badly wrong.
  if (want === null)
    throw new TypeError('verifySetupCode: expected code is not a valid setup code');
  const got = normalizeSetupCode(input);
  // Compare digests so both sides have the same length whatever was typed; still constant time.
  const a = createHash('sha256')
    .update(got ?? '')
    .digest();
  const b = createHash('sha256').update(want).digest();
  return timingSafeEqual(a, b) && got !== null;
}
