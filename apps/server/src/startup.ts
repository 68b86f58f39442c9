import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AirlockDb, credentials, meta, openDatabase, profiles } from '@airlock/db';
import {
  ClaimError,
  claimUids,
  type OpenedSandbox,
  openCheckedSandbox,
  type Sandbox,
  SandboxUnavailableError,
  UID_CLAIM_DIR,
} from '@airlock/sandbox';
import {
  assertCanary,
  createCanary,
  createKeyring,
  type Keyring,
  loadMasterKey,
} from '@airlock/vault';
import { eq, isNotNull } from 'drizzle-orm';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import {
  ANONYMOUS_CREATIONS,
  createAttemptLimiter,
  LOGIN_ATTEMPTS,
} from './lib/attempt-limiter.js';
import { systemClock } from './lib/time.js';
import type { Logger } from './logger.js';
import { pruneSessions } from './services/admin/sessions.js';
import { isSetupRequired, presetAdminPassword } from './services/admin/setup.js';
import { createSetupCodeFile, noSetupCode } from './services/admin/setup-code.js';
import { openInstanceCa, upstreamTrust } from './services/egress-ca.js';
import { ExecutionEngine } from './services/executions/engine.js';
import { claimDataDir, InstanceLockError } from './services/instance-lock.js';
import { pythonUnprintable } from './services/python-unicode.js';
import { reinstallMissing } from './services/requirements/install.js';
import { prepareScopes } from './services/requirements/scopes.js';
import { sandboxHealth } from './services/sandbox-health.js';

export const DATABASE_FILE = 'airlock.db';
export const MASTER_KEY_FILE = 'master.key';
const CANARY_KEY = 'vault_canary';

/** The master key and its canary, checked against the data before anything is served. */
function openVault(db: AirlockDb, privateDir: string, logger: Logger): Keyring {
  const canary = db.select().from(meta).where(eq(meta.key, CANARY_KEY)).get();
  const sealedData =
    db
      .select({ id: credentials.id })
      .from(credentials)
      .where(isNotNull(credentials.value))
      .get() !== undefined ||
    db.select({ id: profiles.id }).from(profiles).where(isNotNull(profiles.secret)).get() !==
      undefined;
  const master = loadMasterKey({
    path: join(privateDir, MASTER_KEY_FILE),
    dataExists: canary !== undefined || sealedData,
  });
  const keyring = createKeyring([{ version: 1, key: master.key }]);
  if (master.created) {
    db.insert(meta)
      .values({ key: CANARY_KEY, value: createCanary(keyring) })
      .run();
    logger.info('created a new master key', { path: master.path });
  } else if (canary) {
    assertCanary(keyring, canary.value, join(privateDir, DATABASE_FILE));
  } else {
    // A key file but no canary and no sealed data (e.g. the database was deleted): vouch now.
    db.insert(meta)
      .values({ key: CANARY_KEY, value: createCanary(keyring) })
      .run();
  }
  return keyring;
}

/**
 * The data directory layout: the directory itself is traverse-only for others (0711) so the
 * sandbox's unprivileged uid can reach `packages/` to bind it read-only; everything secret lives
 * in `private/` (0700, checked by the vault).
 */
function prepareDataDir(config: Config, logger: Logger): void {
  const existed = existsSync(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o711 });
  const mode = statSync(config.dataDir).mode & 0o777;
  if ((mode & 0o001) === 0) {
    // A new directory lost its traverse bits to the umask (077); an existing one is changed
    // only by adding them, and that is logged.
    chmodSync(config.dataDir, mode | 0o011);
    if (existed) {
      logger.info('made the data directory traversable so scripts can reach installed packages', {
        path: config.dataDir,
      });
    }
  }
  mkdirSync(config.privateDir, { recursive: true, mode: 0o700 });
  // The packages scopes (links to generations) are prepared once the directory is ours.
}

/** The host uids, claimed machine-wide; an overlap with another Airlock stops the start. */
function claimUidsOrRefuse(ranges: { first: number; end: number }[]): () => void {
  try {
    return claimUids(UID_CLAIM_DIR, ranges);
  } catch (err) {
    if (err instanceof ClaimError) throw new InstanceLockError(err.message);
    throw err;
  }
}

/**
 * The confinement backend, proven to work before anything is served: a missing backend or one
 * that cannot run a trivial script is a startup error that says how to fix it.
 */
async function openSandbox(
  config: Config,
  logger: Logger,
): Promise<{ sandbox: Sandbox; release: () => void }> {
  // Every live run holds a uid (computing, paused or blocked), and so does each sandbox of the
  // warm pool while it waits.
  const poolSize = Math.max(16, config.concurrency + config.maxWaiting + 2) + config.warmPool;
  // Run as root, scripts run as leased host uids: claim them machine-wide before touching any
  // process of theirs (another Airlock on this host may use a range of its own).
  const release =
    process.getuid?.() === 0
      ? claimUidsOrRefuse([
          { first: config.sandboxUidBase, end: config.sandboxUidBase + poolSize },
          { first: config.installerUid, end: config.installerUid + 1 },
        ])
      : () => {};
  let opened: OpenedSandbox;
  try {
    // With `auto`, a backend that fails its self-check is passed over for the next one.
    opened = await openCheckedSandbox(
      {
        backend: config.sandbox,
        python: config.python,
        packagesDir: config.packagesDir,
        uidBase: config.sandboxUidBase,
        poolSize,
        warm: {
          size: config.warmPool,
          limits: { memoryBytes: config.memoryBytes },
          // Next to the runs' egress sockets (one filesystem): runs with egress are pooled too.
          slotsDir: join(config.egressDir, 'slots'),
        },
        log: (message) => logger.warn(message),
      },
      (candidate) => {
        // A crash during a sandbox's setup can leave it behind (the next start is the only cure).
        const orphans = candidate.killOrphans();
        if (orphans > 0)
          logger.warn('killed sandbox processes left by a previous run', { count: orphans });
      },
    );
  } catch (err) {
    release();
    throw err;
  }
  const { sandbox, health, skipped } = opened;
  for (const s of skipped)
    logger.warn('sandbox backend failed its self-check and was passed over', {
      backend: s.backend,
      reason: s.detail,
    });
  if (!health.ok) {
    void sandbox.close();
    release();
    throw new SandboxUnavailableError(
      `The ${health.backend} sandbox is installed but could not run a test script: ${health.detail ?? 'unknown reason'}. ` +
        'Check that unprivileged user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1; in Docker see the README) ' +
        `and that every parent directory of ${config.packagesDir} and of Airlock's own files is traversable by other ` +
        'users (chmod o+x): scripts run as an unprivileged uid that must reach them (for example, do not install under /root).',
    );
  }
  logger.info('sandbox ready', {
    backend: health.backend,
    version: health.version,
    seccomp: health.seccomp,
    accounting: health.accounting.mechanism,
    warm_pool: config.warmPool,
  });
  // After the orphan sweep and the self-check: the pool's sandboxes start now.
  sandbox.warmUp();
  if (!health.accounting.active)
    logger.warn(
      'runs are not accounted as a whole: memory is bounded per process, SysV shared memory and memfds are refused',
      { reason: health.accounting.detail },
    );
  if (health.unconfined)
    logger.warn(
      'SCRIPTS RUN WITHOUT ANY CONFINEMENT (AIRLOCK_SANDBOX=unconfined-dev). Development only.',
    );
  return { sandbox, release };
}

/**
 * Opens everything `createApp` needs from a validated configuration, refusing to start (with the
 * vault's specific messages) when the master key and the data do not belong together.
 */
export async function buildDeps(
  config: Config,
  logger: Logger,
): Promise<{ deps: AppDeps; close: () => Promise<void> }> {
  prepareDataDir(config, logger);
  // Before the database is opened: a second server on this directory touches nothing.
  const releaseDataDir = claimDataDir(config.privateDir);
  // Egress sockets of runs a crash interrupted (only once the directory is ours). Recreated
  // traversable (0711), not listable: sandbox uids reach their sockets and the pool's slots.
  rmSync(config.egressDir, { recursive: true, force: true });
  mkdirSync(config.egressDir, { recursive: true });
  chmodSync(config.egressDir, 0o711);
  prepareScopes(config);
  let releaseUids = () => {};
  let opened: ReturnType<typeof openDatabase>;
  try {
    opened = openDatabase(join(config.privateDir, DATABASE_FILE), {
      busyTimeoutMs: config.dbBusyTimeoutMs,
    });
  } catch (err) {
    releaseDataDir();
    throw err;
  }
  try {
    const keyring = openVault(opened.db, config.privateDir, logger);
    const { sandbox, release } = await openSandbox(config, logger);
    releaseUids = release;
    const instanceCa = openInstanceCa({
      db: opened.db,
      keyring,
      clock: systemClock,
      egressDir: config.egressDir,
    });
    // Created now (first start) so it is in every export and survives restarts unchanged.
    await instanceCa.info();
    const deps: AppDeps = {
      config,
      instanceCa,
      db: opened.db,
      keyring,
      clock: systemClock,
      logger,
      setupCode: noSetupCode,
      loginLimiter: createAttemptLimiter(LOGIN_ATTEMPTS),
      creationLimiter: createAttemptLimiter(ANONYMOUS_CREATIONS),
      adminDist: config.adminDist,
      sandbox,
      sandboxHealth: sandboxHealth(sandbox),
      executions: new ExecutionEngine({
        db: opened.db,
        keyring,
        sandbox,
        clock: systemClock,
        logger,
        config,
        pythonUnprintable: pythonUnprintable(config.python),
        instanceCa,
        upstreamTrust: upstreamTrust(config.egressCaFile),
      }),
    };
    void reinstallMissing(deps).catch((err: unknown) =>
      logger.error('reinstalling requirements failed', { error: String(err) }),
    );
    const interrupted = deps.executions.recover();
    deps.executions.startRetention();
    if (interrupted > 0)
      logger.warn('closed executions interrupted by the previous shutdown', { count: interrupted });
    pruneSessions(deps);
    if (isSetupRequired(deps)) {
      const preset =
        config.adminPassword ??
        (config.adminPasswordFile
          ? readFileSync(config.adminPasswordFile, 'utf8').replace(/\r?\n$/, '')
          : undefined);
      if (preset !== undefined) {
        await presetAdminPassword(deps, preset);
        logger.info('admin password preset from the environment; first-visit setup is skipped');
      } else {
        const holder = await createSetupCodeFile(config.privateDir);
        deps.setupCode = holder;
        process.stderr.write(
          [
            '',
            '  ┌──────────────────────────────────────────────────────────────┐',
            '  │  Airlock first-visit setup                                   │',
            `  │  Setup code: ${holder.code.padEnd(48)}│`,
            `  │  (also in ${holder.path})`,
            '  │  Open the admin UI and enter it with your new password.      │',
            '  └──────────────────────────────────────────────────────────────┘',
            '',
          ].join('\n'),
        );
      }
    }
    return {
      deps,
      close: async () => {
        // The warm pool's sandboxes end first (their uids and cgroups are released after).
        await sandbox.close();
        opened.close();
        releaseUids();
        releaseDataDir();
      },
    };
  } catch (err) {
    opened.close();
    releaseUids();
    releaseDataDir();
    throw err;
  }
}
