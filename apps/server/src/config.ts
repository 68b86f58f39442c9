import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseName } from '@airlock/egress';
import { z } from 'zod';

/** `apps/admin/dist`, from `apps/server/src` or `apps/server/dist` alike. */
const DEFAULT_ADMIN_DIST = fileURLToPath(new URL('../../admin/dist', import.meta.url));

const intFrom = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/**
 * The environment Airlock reads, validated once by `main.ts`. Names and defaults match
 * `docs/configuration` in the README. Nothing else in the server reads `process.env`.
 */
const envSchema = z.object({
  AIRLOCK_DATA_DIR: z.string().min(1).default('./data'),
  AIRLOCK_PORT: intFrom(1, 65535, 9090).optional(),
  PORT: intFrom(1, 65535, 9090).optional(),
  AIRLOCK_HOST: z.string().min(1).default('0.0.0.0'),
  AIRLOCK_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  AIRLOCK_TRUST_PROXY: booleanish.default(false),
  AIRLOCK_ALLOWED_HOSTS: z
    .string()
    .regex(
      /^(?:\*|[A-Za-z0-9.-]+)(?:,(?:\*|[A-Za-z0-9.-]+))*$/,
      'a comma list of host names (or *)',
    )
    .optional(),
  AIRLOCK_ADMIN_PASSWORD: z.string().min(1).optional(),
  AIRLOCK_ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  AIRLOCK_SANDBOX: z.enum(['auto', 'bwrap', 'nsjail', 'unconfined-dev']).default('auto'),
  AIRLOCK_PYTHON: z.string().min(1).default('/usr/bin/python3'),
  AIRLOCK_SANDBOX_UID_BASE: intFrom(1000, 4_000_000_000, 60000),
  AIRLOCK_SANDBOX_INSTALLER_UID: intFrom(1000, 4_000_000_000, 59999),
  AIRLOCK_MAX_BODY_BYTES: intFrom(1024, 64 * 1024 * 1024, 1024 * 1024),
  AIRLOCK_MAX_CREDENTIALS: intFrom(1, 1_000_000, 1000),
  AIRLOCK_MAX_UNLOCKED_PROFILES: intFrom(1, 1_000_000, 200),
  AIRLOCK_MAX_CONNECTIONS: z.coerce.number().int().min(16).max(1_000_000).optional(),
  AIRLOCK_MAX_CONNECTIONS_PER_CLIENT: intFrom(0, 1_000_000, 64),
  AIRLOCK_DEFAULT_TIMEOUT: intFrom(1, 3600, 60),
  AIRLOCK_MAX_TIMEOUT: intFrom(1, 86_400, 600),
  AIRLOCK_CONCURRENCY: intFrom(1, 64, 2),
  AIRLOCK_WARM_POOL: intFrom(0, 64, 2),
  AIRLOCK_QUEUE_SIZE: intFrom(0, 10_000, 32),
  AIRLOCK_LLM_WAIT_LIMIT: intFrom(1, 86_400, 300),
  AIRLOCK_MAX_WAITING: intFrom(0, 10_000, 16),
  AIRLOCK_DB_BUSY_TIMEOUT_MS: intFrom(0, 600_000, 5000),
  AIRLOCK_MEMORY_MB: intFrom(64, 64 * 1024, 1024),
  AIRLOCK_MAX_OUTPUT_BYTES: intFrom(1024, 256 * 1024 * 1024, 1024 * 1024),
  AIRLOCK_EGRESS_MAX_CONNECTIONS: intFrom(1, 100_000, 256),
  AIRLOCK_EGRESS_MAX_MB: intFrom(1, 1024 * 1024, 64),
  AIRLOCK_EGRESS_MAX_OPEN: intFrom(1, 10_000, 16),
  AIRLOCK_EGRESS_CA_FILE: z.string().min(1).optional(),
  AIRLOCK_EGRESS_RESOLVE: z
    .string()
    .transform((text, ctx) => {
      const out: Record<string, string[]> = {};
      for (const item of text.split(',')) {
        const [rawName, address] = item.trim().split('=');
        const name = normaliseName(rawName ?? '');
        if (name === undefined || address === undefined || isIP(address) === 0) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not name=address (a DNS name, an IPv4 or IPv6 address)`,
          });
          return z.NEVER;
        }
        out[name] = [...(out[name] ?? []), address];
      }
      return out;
    })
    .optional(),
  AIRLOCK_HISTORY_MAX_MB: intFrom(1, 1024 * 1024, 256),
  AIRLOCK_HISTORY_DAYS: intFrom(0, 36_500, 30),
  AIRLOCK_PIP_INDEX_URL: z.url({ protocol: /^https?$/ }).optional(),
  AIRLOCK_PIP_FIND_LINKS: z.string().min(1).optional(),
  AIRLOCK_PIP_NO_INDEX: booleanish.default(false),
  AIRLOCK_PIP_NO_BUILD_ISOLATION: booleanish.default(false),
  AIRLOCK_PIP_TIMEOUT: intFrom(1, 24 * 3600, 600),
  AIRLOCK_PACKAGES_MAX_MB: intFrom(1, 1024 * 1024, 4096),
  AIRLOCK_ADMIN_DIST: z.string().min(1).optional(),
  AIRLOCK_SESSION_IDLE_MINUTES: intFrom(1, 7 * 24 * 60, 12 * 60),
  AIRLOCK_SESSION_MAX_HOURS: intFrom(1, 90 * 24, 7 * 24),
});

export interface Config {
  dataDir: string;
  /** `<data dir>/private` (0700): master key, database, setup code. */
  privateDir: string;
  /** `<data dir>/packages`: installed Python packages, read-only to scripts. */
  packagesDir: string;
  /** `<data dir>/egress`: one unix socket per running execution (its egress proxy). */
  egressDir: string;
  /** Per run: connection attempts, bytes both ways, connections open at once. */
  egress: { connections: number; bytes: number; concurrent: number };
  /**
   * Extra root certificates (a PEM file) trusted, besides Node's bundled roots, when the proxy
   * verifies the upstream of a brokered host (an internal CA). Undefined: the bundled roots.
   */
  egressCaFile: string | undefined;
  /**
   * Names the egress proxy answers itself (`name=address,...`), before DNS: the operator's own
   * names. The answers obey the same rules as DNS answers (names reach public addresses only).
   */
  egressResolve: Record<string, string[]>;
  port: number;
  host: string;
  /** Base URL for `poll_url` and `/skill.md`; when absent, taken from each request. */
  publicUrl: string | undefined;
  trustProxy: boolean;
  /** Host names served besides loopback names and the public URL's (`*`: any). */
  allowedHosts: string[];
  adminPassword: string | undefined;
  adminPasswordFile: string | undefined;
  sandbox: 'auto' | 'bwrap' | 'nsjail' | 'unconfined-dev';
  python: string;
  /** First host uid leased to script runs (when running as root); one per concurrent run. */
  sandboxUidBase: number;
  /** Host uid that runs pip and owns the packages directory (when running as root). */
  installerUid: number;
  maxBodyBytes: number;
  /** Credentials at most (agents' slots refused past it; the admin may add more). */
  maxCredentials: number;
  /** Unlocked profiles at most (new agent profiles refused past it). */
  maxUnlockedProfiles: number;
  /** Open connections at most (default: half the open-files limit). */
  maxConnections: number | undefined;
  /** Open connections per client address at most; 0: no cap. */
  maxConnectionsPerClient: number;
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /**
   * Sandboxes kept started ahead of demand (runs without a network policy or packages of their
   * own take one and skip the start); 0 turns the pool off.
   */
  warmPool: number;
  concurrency: number;
  queueSize: number;
  llmWaitLimitSeconds: number;
  /** Runs paused in llm.complete at once besides the running ones (they hold no slot). */
  maxWaiting: number;
  maxOutputBytes: number;
  /** Most bytes of execution history kept (scripts, outputs, results, LLM exchanges). */
  historyMaxBytes: number;
  /** Days an execution's history is kept after it ends; 0 keeps it until the size limit. */
  historyRetentionDays: number;
  /** How long a write waits for the database lock before answering 503. */
  dbBusyTimeoutMs: number;
  /** Address-space limit of each script process, bytes. */
  memoryBytes: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** pip sources for `/requirements` (default: pip's own index). */
  pipIndexUrl: string | undefined;
  pipFindLinks: string | undefined;
  pipNoIndex: boolean;
  /** Build sdists with the system's setuptools/wheel (offline mirrors without them). */
  pipNoBuildIsolation: boolean;
  /** Longest a package install may take, ms. */
  pipTimeoutMs: number;
  /** Most bytes one scope's packages may take (an install past it is refused). */
  packagesMaxBytes: number;
  /** The built admin UI; defaults to `apps/admin/dist` beside this server. */
  adminDist: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from an environment object.
 * Throws `ConfigError` with every problem listed (never the value of a secret variable).
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (docker-compose and hosting panels often leave them empty).
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.AIRLOCK_DEFAULT_TIMEOUT > e.AIRLOCK_MAX_TIMEOUT) {
    throw new ConfigError(
      `Invalid configuration:\n  AIRLOCK_DEFAULT_TIMEOUT (${e.AIRLOCK_DEFAULT_TIMEOUT}) exceeds AIRLOCK_MAX_TIMEOUT (${e.AIRLOCK_MAX_TIMEOUT})`,
    );
  }
  if (e.AIRLOCK_ADMIN_PASSWORD && e.AIRLOCK_ADMIN_PASSWORD_FILE) {
    throw new ConfigError(
      'Invalid configuration:\n  set AIRLOCK_ADMIN_PASSWORD or AIRLOCK_ADMIN_PASSWORD_FILE, not both',
    );
  }
  const dataDir = resolve(e.AIRLOCK_DATA_DIR);
  return {
    dataDir,
    privateDir: join(dataDir, 'private'),
    packagesDir: join(dataDir, 'packages'),
    egressDir: join(dataDir, 'egress'),
    egress: {
      connections: e.AIRLOCK_EGRESS_MAX_CONNECTIONS,
      bytes: e.AIRLOCK_EGRESS_MAX_MB * 1024 * 1024,
      concurrent: e.AIRLOCK_EGRESS_MAX_OPEN,
    },
    egressCaFile:
      e.AIRLOCK_EGRESS_CA_FILE === undefined ? undefined : resolve(e.AIRLOCK_EGRESS_CA_FILE),
    egressResolve: e.AIRLOCK_EGRESS_RESOLVE ?? {},
    port: e.AIRLOCK_PORT ?? e.PORT ?? 9090,
    host: e.AIRLOCK_HOST,
    publicUrl: e.AIRLOCK_PUBLIC_URL,
    trustProxy: e.AIRLOCK_TRUST_PROXY,
    allowedHosts: e.AIRLOCK_ALLOWED_HOSTS?.split(',') ?? [],
    adminPassword: e.AIRLOCK_ADMIN_PASSWORD,
    adminPasswordFile: e.AIRLOCK_ADMIN_PASSWORD_FILE,
    sandbox: e.AIRLOCK_SANDBOX,
    python: e.AIRLOCK_PYTHON,
    sandboxUidBase: e.AIRLOCK_SANDBOX_UID_BASE,
    installerUid: e.AIRLOCK_SANDBOX_INSTALLER_UID,
    maxBodyBytes: e.AIRLOCK_MAX_BODY_BYTES,
    maxCredentials: e.AIRLOCK_MAX_CREDENTIALS,
    maxUnlockedProfiles: e.AIRLOCK_MAX_UNLOCKED_PROFILES,
    maxConnections: e.AIRLOCK_MAX_CONNECTIONS,
    maxConnectionsPerClient: e.AIRLOCK_MAX_CONNECTIONS_PER_CLIENT,
    defaultTimeoutSeconds: e.AIRLOCK_DEFAULT_TIMEOUT,
    maxTimeoutSeconds: e.AIRLOCK_MAX_TIMEOUT,
    concurrency: e.AIRLOCK_CONCURRENCY,
    warmPool: e.AIRLOCK_WARM_POOL,
    queueSize: e.AIRLOCK_QUEUE_SIZE,
    llmWaitLimitSeconds: e.AIRLOCK_LLM_WAIT_LIMIT,
    maxWaiting: e.AIRLOCK_MAX_WAITING,
    maxOutputBytes: e.AIRLOCK_MAX_OUTPUT_BYTES,
    historyMaxBytes: e.AIRLOCK_HISTORY_MAX_MB * 1024 * 1024,
    historyRetentionDays: e.AIRLOCK_HISTORY_DAYS,
    memoryBytes: e.AIRLOCK_MEMORY_MB * 1024 * 1024,
    dbBusyTimeoutMs: e.AIRLOCK_DB_BUSY_TIMEOUT_MS,
    sessionIdleMs: e.AIRLOCK_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.AIRLOCK_SESSION_MAX_HOURS * 3_600_000,
    pipIndexUrl: e.AIRLOCK_PIP_INDEX_URL,
    pipFindLinks: e.AIRLOCK_PIP_FIND_LINKS,
    pipNoIndex: e.AIRLOCK_PIP_NO_INDEX,
    pipNoBuildIsolation: e.AIRLOCK_PIP_NO_BUILD_ISOLATION,
    pipTimeoutMs: e.AIRLOCK_PIP_TIMEOUT * 1000,
    packagesMaxBytes: e.AIRLOCK_PACKAGES_MAX_MB * 1024 * 1024,
    adminDist: e.AIRLOCK_ADMIN_DIST ? resolve(e.AIRLOCK_ADMIN_DIST) : DEFAULT_ADMIN_DIST,
  };
}
