import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AirlockDb, credentials, meta, openDatabase, profiles } from '@airlock/db';
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
import { systemClock } from './lib/time.js';
import type { Logger } from './logger.js';
import { createLoginLimiter } from './services/admin/login-limiter.js';
import { pruneSessions } from './services/admin/sessions.js';
import { isSetupRequired, presetAdminPassword } from './services/admin/setup.js';
import { createSetupCodeFile, noSetupCode } from './services/admin/setup-code.js';

export const DATABASE_FILE = 'airlock.db';
export const MASTER_KEY_FILE = 'master.key';
const CANARY_KEY = 'vault_canary';

/** The master key and its canary, checked against the data before anything is served. */
function openVault(db: AirlockDb, dataDir: string, logger: Logger): Keyring {
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
    path: join(dataDir, MASTER_KEY_FILE),
    dataExists: canary !== undefined || sealedData,
  });
  const keyring = createKeyring([{ version: 1, key: master.key }]);
  if (master.created) {
    db.insert(meta)
      .values({ key: CANARY_KEY, value: createCanary(keyring) })
      .run();
    logger.info('created a new master key', { path: master.path });
  } else if (canary) {
    assertCanary(keyring, canary.value, join(dataDir, DATABASE_FILE));
  } else {
    // A key file but no canary and no sealed data (e.g. the database was deleted): vouch now.
    db.insert(meta)
      .values({ key: CANARY_KEY, value: createCanary(keyring) })
      .run();
  }
  return keyring;
}

/**
 * Opens everything `createApp` needs from a validated configuration, refusing to start (with the
 * vault's specific messages) when the master key and the data do not belong together.
 */
export async function buildDeps(
  config: Config,
  logger: Logger,
): Promise<{ deps: AppDeps; close: () => void }> {
  const opened = openDatabase(join(config.dataDir, DATABASE_FILE));
  try {
    const keyring = openVault(opened.db, config.dataDir, logger);
    const deps: AppDeps = {
      config,
      db: opened.db,
      keyring,
      clock: systemClock,
      logger,
      setupCode: noSetupCode,
      loginLimiter: createLoginLimiter(),
      adminDist: config.adminDist,
    };
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
        const holder = await createSetupCodeFile(config.dataDir);
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
    return { deps, close: opened.close };
  } catch (err) {
    opened.close();
    throw err;
  }
}
