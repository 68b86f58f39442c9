/** Finding a confinement backend on this machine, with an install hint when there is none. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Backends that confine (the unconfined development mode is never detected, only chosen). */
export type ConfinedBackend = 'bwrap' | 'nsjail';

export const INSTALL_HINTS: Readonly<Record<ConfinedBackend, string>> = Object.freeze({
  bwrap:
    'install bubblewrap: `apt-get install -y bubblewrap` (Debian/Ubuntu) or `dnf install -y bubblewrap`',
  nsjail:
    'build nsjail from https://github.com/google/nsjail (tag 3.6, with its kafel submodule): ' +
    '`apt-get install -y g++ make pkg-config bison flex protobuf-compiler libprotobuf-dev ' +
    'libnl-route-3-dev && make` and put the binary on PATH (the Docker image ships it)',
});

const BINARIES: Readonly<Record<ConfinedBackend, string>> = { bwrap: 'bwrap', nsjail: 'nsjail' };

/** Thrown at startup when the requested backend is not installed. */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

/**
 * The absolute path of an executable on PATH, or undefined.
 *
 * @example
 * which('bwrap'); // '/usr/bin/bwrap'
 */
export function which(
  name: string,
  path = process.env.PATH ?? '/usr/bin:/bin',
): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Picks a backend: the one asked for, or with `auto` nsjail when installed, else bubblewrap.
 * Throws `SandboxUnavailableError` naming the install command when none is available; it never
 * falls back to running scripts unconfined.
 *
 * @example
 * const { backend, binary } = detectBackend('auto'); // { backend: 'bwrap', binary: '/usr/bin/bwrap' }
 */
export function detectBackend(
  want: ConfinedBackend | 'auto' = 'auto',
  path?: string,
): { backend: ConfinedBackend; binary: string } {
  const order: ConfinedBackend[] = want === 'auto' ? ['nsjail', 'bwrap'] : [want];
  for (const backend of order) {
    const binary = which(BINARIES[backend], path);
    if (binary) return { backend, binary };
  }
  if (want === 'auto') {
    throw new SandboxUnavailableError(
      `no sandbox backend found (looked for nsjail and bwrap on PATH); ${INSTALL_HINTS.bwrap}, or ${INSTALL_HINTS.nsjail}`,
    );
  }
  throw new SandboxUnavailableError(
    `sandbox backend ${want} is not installed; ${INSTALL_HINTS[want]}`,
  );
}
