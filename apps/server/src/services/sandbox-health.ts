import type { Sandbox, SandboxHealth } from '@airlock/sandbox';

/** How long one self-check answers (a check starts a real confined process). */
const CHECK_TTL_MS = 30_000;

/**
 * The sandbox's self-check, shared by `/health` and the admin stats and run at most every 30 s.
 *
 * @example
 * const health = sandboxHealth(deps.sandbox); await health.get();
 */
export function sandboxHealth(sandbox: Sandbox): { get(): Promise<SandboxHealth> } {
  let cached: { at: number; health: Promise<SandboxHealth> } | undefined;
  return {
    get() {
      const now = Date.now();
      if (!cached || now - cached.at > CHECK_TTL_MS) cached = { at: now, health: sandbox.check() };
      return cached.health;
    },
  };
}
