import { randomBytes } from 'node:crypto';
import {
  generateProfileKey,
  generateSetupCode,
  signApiRequest,
  signV1,
  signV2,
} from '@airlock/auth';
import { createTestDatabase } from '@airlock/db';
import { claimFreeUids, createSandbox, type Sandbox } from '@airlock/sandbox';
import { createKeyring } from '@airlock/vault';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { AppDeps } from '../deps.js';
import { createAttemptLimiter, LOGIN_ATTEMPTS } from '../lib/attempt-limiter.js';
import { createMemoryLogger } from '../logger.js';
import { memorySetupCode } from '../services/admin/setup-code.js';
import { openInstanceCa, upstreamTrust } from '../services/egress-ca.js';
import { ExecutionEngine } from '../services/executions/engine.js';
import { pythonUnprintable } from '../services/python-unicode.js';
import { sandboxHealth } from '../services/sandbox-health.js';

let sharedSandbox: Sandbox | undefined;
let testUnprintable: [number, number][] | undefined;
/**
 * First uid of this test process's range. Test files run in parallel processes (and other test
 * runs, or a running Airlock, may share the machine), and a uid is killed clean after each run,
 * so every process claims a random free block machine-wide (as servers claim theirs).
 */
export const TEST_UID_BASE = ((): number => {
  if (process.getuid?.() !== 0) return 2_000_000; // no host uid is leased without root
  const { first, release } = claimFreeUids(128);
  process.once('exit', release);
  return first;
})();

/** The in-process tests' backend: bubblewrap, or nsjail with `AIRLOCK_TEST_BACKEND=nsjail`. */
export const TEST_BACKEND = process.env.AIRLOCK_TEST_BACKEND === 'nsjail' ? 'nsjail' : 'bwrap';

/**
 * One real sandbox per test process (it holds only configuration and a uid pool), on
 * {@link TEST_BACKEND} (spawned servers pick theirs with `auto`).
 */
export function testSandbox(): Sandbox {
  sharedSandbox ??= createSandbox({
    backend: TEST_BACKEND,
    python: '/usr/bin/python3',
    uidBase: TEST_UID_BASE,
    poolSize: 16,
    log: () => {},
  });
  return sharedSandbox;
}

/** Cheap scrypt parameters for tests (the real defaults cost ~0.3 s per hash). */
export const TEST_PASSWORD_PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestClock {
  (): Date;
  set(iso: string | Date): void;
  advance(ms: number): void;
}

export function testClock(start = '2026-11-28T12:00:00Z'): TestClock {
  let now = new Date(start).getTime();
  const clock = (() => new Date(now)) as TestClock;
  clock.set = (t) => {
    now = new Date(t).getTime();
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/**
 * A whole app over a fresh in-memory database and a random test key: one per test (or file).
 * `env` overrides configuration as environment variables would.
 */
export function createTestContext(
  options: { env?: Record<string, string>; setupCode?: string; sandbox?: Sandbox } = {},
) {
  const opened = createTestDatabase();
  const clock = testClock();
  const logger = createMemoryLogger();
  const code = options.setupCode ?? generateSetupCode();
  const setupCode = memorySetupCode(code);
  const config = loadConfig({ AIRLOCK_DATA_DIR: '/nonexistent-test-data', ...options.env });
  const keyring = createKeyring([{ version: 1, key: randomBytes(32) }]);
  const deps: AppDeps = {
    config,
    db: opened.db,
    keyring,
    instanceCa: openInstanceCa({ db: opened.db, keyring, clock, egressDir: config.egressDir }),
    clock,
    logger,
    setupCode,
    loginLimiter: createAttemptLimiter(LOGIN_ATTEMPTS),
    // Tests create freely from one address; the spawned-server tests check the real limit.
    creationLimiter: createAttemptLimiter({ max: 1_000_000, windowMs: 60_000 }),
    passwordParams: TEST_PASSWORD_PARAMS,
    exportParams: { N: 2 ** 10, r: 8, p: 1 },
    sandbox: options.sandbox ?? testSandbox(),
    sandboxHealth: sandboxHealth(options.sandbox ?? testSandbox()),
    // Replaced just below: the engine needs the finished deps.
    executions: undefined as unknown as ExecutionEngine,
  };
  testUnprintable ??= pythonUnprintable('/usr/bin/python3');
  deps.executions = new ExecutionEngine({
    ...deps,
    pythonUnprintable: testUnprintable,
    upstreamTrust: upstreamTrust(config.egressCaFile),
  });
  const app = createApp(deps);

  /** JSON request helper: `call('POST', '/profiles', { body })`. */
  async function call(
    method: string,
    path: string,
    init: {
      body?: unknown;
      rawBody?: string;
      token?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.rawBody !== undefined) body = init.rawBody;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const res = await app.request(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
    return { status: res.status, headers: res.headers, json: json as any, text };
  }

  /** Completes setup and returns an admin session token. */
  async function adminToken(): Promise<string> {
    const r = await call('POST', '/api/admin/setup', {
      body: { setup_code: code, password: TEST_PASSWORD },
    });
    if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${r.text}`);
    return r.json.token as string;
  }

  /**
   * The agent flow up to a usable key: credential slots with values, a profile with them
   * attached, locked. Returns the profile id and its full key.
   */
  async function lockedProfile(token: string, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const r = await call('POST', '/api/admin/credentials', { token, body: { name, value } });
      if (r.status !== 201 && r.status !== 409)
        throw new Error(`credential: ${r.status} ${r.text}`);
      if (r.status === 409)
        await call('PUT', `/api/admin/credentials/${name}`, { token, body: { value } });
    }
    const p = await call('POST', '/profiles', { body: { description: 'test profile' } });
    await call('POST', `/profiles/${p.json.id}/credentials`, {
      body: { credentials: Object.keys(values) },
    });
    const locked = await call('POST', `/api/admin/profiles/${p.json.id}/lock`, {
      token,
      body: { credentials: Object.keys(values) },
    });
    if (locked.status !== 200) throw new Error(`lock: ${locked.status} ${locked.text}`);
    const key = locked.json.key as string;
    const [keyId, secret] = key.split(':') as [string, string];
    return { profileId: p.json.id as string, key, keyId, secret };
  }

  /** A request signed with a key secret (the routes a bare key id cannot reach). */
  async function signed(
    method: string,
    path: string,
    key: { keyId: string; secret: string },
    body?: unknown,
  ) {
    const text = body === undefined ? '' : JSON.stringify(body);
    const s = signApiRequest(
      key.secret,
      { method, target: path, body: text },
      { timestamp: Math.floor(clock().getTime() / 1000) },
    );
    return call(method, path, {
      token: key.keyId,
      headers: {
        ...s.headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { rawBody: text }),
    });
  }

  return {
    app,
    deps,
    setupCode: code,
    db: opened.db,
    sqlite: opened.sqlite,
    clock,
    logger,
    call,
    adminToken,
    lockedProfile,
    signed,
    close: opened.close,
  };
}

export { generateProfileKey, signV1, signV2 };
