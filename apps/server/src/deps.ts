import type { ScryptParams } from '@airlock/auth';
import type { AirlockDb } from '@airlock/db';
import type { Sandbox, SandboxHealth } from '@airlock/sandbox';
import type { Keyring } from '@airlock/vault';
import type { Config } from './config.js';
import type { AttemptLimiter } from './lib/attempt-limiter.js';
import type { Clock } from './lib/time.js';
import type { Logger } from './logger.js';
import type { SetupCodeHolder } from './services/admin/setup-code.js';
import type { InstanceCa } from './services/egress-ca.js';
import type { ExecutionEngine } from './services/executions/engine.js';

/**
 * Everything the app is built from. `main.ts` builds the real ones; tests build their own
 * (in-memory database, test keyring, controllable clock) and call `createApp(deps)`.
 */
export interface AppDeps {
  config: Config;
  db: AirlockDb;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  setupCode: SetupCodeHolder;
  loginLimiter: AttemptLimiter;
  /** Anonymous creation of credential slots, profiles and links, per client. */
  creationLimiter: AttemptLimiter;
  /** Runs scripts confined (bubblewrap or nsjail). */
  sandbox: Sandbox;
  /** The sandbox self-check, cached (for /health and the admin stats). */
  sandboxHealth: { get(): Promise<SandboxHealth> };
  /** The queue and the runs in progress. */
  executions: ExecutionEngine;
  /** The CA of brokered credentials (the proxy intercepts their hosts' TLS with it). */
  instanceCa: InstanceCa;
  /** scrypt parameters for new admin password hashes (tests use cheaper ones). */
  passwordParams?: ScryptParams;
  /** Built admin UI (`apps/admin/dist`); absent → `/` says the UI is not built. */
  adminDist?: string;
  /** scrypt parameters for new exports (tests use cheaper ones). */
  exportParams?: { N: number; r: number; p: number };
}
