/** Shared helpers for the real-sandbox suites (no mocks: real bwrap, real /usr/bin/python3). */
import {
  createSandbox,
  processesOf,
  type RunResult,
  type Sandbox,
  type SandboxOptions,
} from '../src/index.js';

/**
 * A sandbox with its own uid range per test file: vitest runs files in parallel workers, and
 * "no sandbox process left" checks must only see this file's uids.
 */
export function testSandbox(uidBase: number, options: SandboxOptions = {}): Sandbox {
  return createSandbox({ backend: 'bwrap', uidBase, poolSize: 4, log: () => {}, ...options });
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
