/**
 * Opening a sandbox that is proven to work: with `auto`, every installed backend is tried in
 * order (nsjail, then bubblewrap) until one passes its self-check, so a broken nsjail never
 * takes down a host where bubblewrap works. Each backend passed over is logged with its reason.
 */
import { type ConfinedBackend, which } from './detect.js';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
import type { SandboxHealth } from './types.js';

/** The sandbox opened, its self-check, and the backends passed over on the way. */
export interface OpenedSandbox {
  sandbox: Sandbox;
  /** Its self-check: `ok` false only when no candidate passed (the caller refuses to start). */
  health: SandboxHealth;
  skipped: Array<{ backend: ConfinedBackend; detail: string }>;
}

const AUTO_ORDER: ConfinedBackend[] = ['nsjail', 'bwrap'];

/**
 * Creates the sandbox and runs its self-check; for `auto`, the first installed backend whose
 * self-check passes. `prepare` runs on each candidate before its check (the server clears what
 * a crash left under its uids there). Throws `SandboxUnavailableError` when no backend is
 * installed (from `createSandbox`).
 *
 * @example
 * const { sandbox, health, skipped } = await openCheckedSandbox({ backend: 'auto' });
 * // nsjail installed but broken: skipped = [{ backend: 'nsjail', detail: '…' }], bwrap opened
 */
export async function openCheckedSandbox(
  options: SandboxOptions,
  prepare: (sandbox: Sandbox) => void = () => {},
): Promise<OpenedSandbox> {
  const log = options.log ?? ((m: string) => console.warn(m));
  const want = options.backend ?? 'auto';
  if (want !== 'auto') {
    const sandbox = createSandbox(options);
    prepare(sandbox);
    return { sandbox, health: await sandbox.check(), skipped: [] };
  }
  const installed = AUTO_ORDER.filter((b) => which(b) !== undefined);
  // None installed: createSandbox throws the message that names what to install.
  const [first, ...rest] = installed.length > 0 ? installed : [createSandbox(options).backend];
  const skipped: OpenedSandbox['skipped'] = [];
  let backend = first as ConfinedBackend;
  for (;;) {
    const sandbox = createSandbox({ ...options, backend });
    prepare(sandbox);
    const health = await sandbox.check();
    const next = rest.shift() as ConfinedBackend | undefined;
    if (health.ok || next === undefined) return { sandbox, health, skipped };
    const detail = health.detail ?? 'self-check failed';
    log(
      `!!! sandbox: ${backend} is installed but failed its self-check (${detail}); ` +
        `using ${next} instead. Fix or remove ${backend} to silence this. !!!`,
    );
    skipped.push({ backend, detail });
    // Its teardown (cgroups named by the same uids) ends before the next one starts.
    await sandbox.close();
    backend = next;
  }
}
