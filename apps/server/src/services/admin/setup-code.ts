import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateSetupCode, verifySetupCode } from '@airlock/auth';
import { writeFileAtomic } from '@airlock/vault';

/**
 * The one-time first-visit setup code. A fresh code is made at every start while setup is
 * pending (so a code from an earlier run is useless), written 0600 to `<data dir>/setup-code`
 * and printed to the log; it is forgotten and the file removed when setup is claimed.
 */
export interface SetupCodeHolder {
  /** True while a code is pending. */
  readonly pending: boolean;
  /** Constant-time check of a submitted code (spaces, dashes and case tolerated). */
  matches(input: unknown): boolean;
  /** Forget the code and remove its file (setup claimed). */
  consume(): void;
}

export const SETUP_CODE_FILE = 'setup-code';

/** A holder with no pending code (setup already done, or the password was preset). */
export const noSetupCode: SetupCodeHolder = {
  pending: false,
  matches: () => false,
  consume: () => {},
};

/** A holder for a known code, without any file (tests). */
export function memorySetupCode(code: string): SetupCodeHolder {
  let current: string | null = code;
  return {
    get pending() {
      return current !== null;
    },
    matches: (input) => current !== null && verifySetupCode(input, current),
    consume: () => {
      current = null;
    },
  };
}

/**
 * Makes a new code and writes it to `<dataDir>/setup-code` (mode 0600, atomic).
 *
 * @example
 * const holder = await createSetupCodeFile(dataDir);
 * logger.info(`Setup code: ${holder.code}`);
 */
export async function createSetupCodeFile(
  dataDir: string,
): Promise<SetupCodeHolder & { code: string; path: string }> {
  const code = generateSetupCode();
  const path = join(dataDir, SETUP_CODE_FILE);
  await writeFileAtomic(path, `${code}\n`, { mode: 0o600 });
  const inner = memorySetupCode(code);
  return {
    code,
    path,
    get pending() {
      return inner.pending;
    },
    matches: inner.matches,
    consume() {
      inner.consume();
      rmSync(path, { force: true });
    },
  };
}
