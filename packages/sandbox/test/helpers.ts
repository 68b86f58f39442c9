/** Shared helpers for the real-sandbox suites (no mocks: real backends, real /usr/bin/python3). */

import { afterAll } from 'vitest';
import {
  type ConfinedBackend,
  claimFreeUids,
  createSandbox,
  processesOf,
  type RunResult,
  type Sandbox,
  type SandboxOptions,
} from '../src/index.js';

/**
 * A block of 128 host uids of its own: random and claimed machine-wide (as servers claim theirs),
 * so neither another test file nor another test run on this machine, nor a running Airlock,
 * ever shares a uid with it. The last uid is for the installer. Released when the process exits.
 */
export function claimTestUids(): { base: number; installer: number } {
  // Without root no host uid is leased (the sandbox runs as this user): nothing to claim.
  if (process.getuid?.() !== 0) return { base: 2_000_000, installer: 2_000_127 };
  const { first, release } = claimFreeUids(128);
  process.once('exit', release);
  return { base: first, installer: first + 127 };
}

/**
 * The backend the suites that are not matrices of their own run on: `AIRLOCK_TEST_BACKEND`
 * (set by `test/matrix.mjs`, which runs them once per installed backend), else bubblewrap.
 */
export const TEST_BACKEND: ConfinedBackend =
  process.env.AIRLOCK_TEST_BACKEND === 'nsjail' ? 'nsjail' : 'bwrap';

/**
 * A sandbox with uids of its own (see {@link claimTestUids}): "no sandbox process left" checks
 * then see only this sandbox's processes.
 */
export function testSandbox(options: SandboxOptions = {}): Sandbox {
  const { base } = claimTestUids();
  const sandbox = createSandbox({
    backend: TEST_BACKEND,
    uidBase: base,
    poolSize: 4,
    log: () => {},
    ...options,
  });
  afterAll(() => sandbox.close());
  return sandbox;
}

export async function run(
  sandbox: Sandbox,
  script: string,
  extra: Omit<Parameters<Sandbox['run']>[0], 'script'> = {},
): Promise<RunResult> {
  return sandbox.run({ script, ...extra }).result;
}

/** Processes (zombies included) still owned by the sandbox's uids. */
export function leftovers(sandbox: Sandbox): string[] {
  return processesOf(sandbox.uids, true).map((p) => `${p.pid} ${p.name} ${p.state}`);
}

export const text = (b: Buffer) => b.toString('utf8');
