import { type AirlockDb, auditLog, requirements, SHARED_SCOPE } from '@airlock/db';
import { type NetworkPolicy, parsePolicy } from '@airlock/egress';
import {
  DEFAULT_TREE_LIMITS,
  type InstallResult,
  installPackages,
  listInstalled,
  type Sandbox,
  validatePackageSpecs,
} from '@airlock/sandbox';
import { asc, desc, eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../lib/time.js';
import { isoUtc } from '../../lib/time.js';
import type { Logger } from '../../logger.js';
import { type Actor, recordAudit } from '../audit/record.js';
import { openRunEgress } from '../executions/egress.js';
import type { ExecutionEngine } from '../executions/engine.js';
import { installInScope, scopeDir } from './scopes.js';

/** PEP 503 normalised project name of a requirement spec (`Foo_Bar[x]>=1` → `foo-bar`). */
export function projectName(spec: string): string {
  const m = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec);
  return (m?.[0] ?? spec).toLowerCase().replace(/[-_.]+/g, '-');
}

/** Longest installer output returned in an error `detail`. */
const MAX_OUTPUT_CHARS = 16_000;
/** How much of it the audit record of a failure keeps. */
const FAILURE_OUTPUT_CHARS = 2000;

/** The most recent failed installs, newest first, from the audit log. */
export function recentFailures(deps: { db: AirlockDb }, limit = 20) {
  return deps.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'requirements.install_failed'))
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all()
    .map((r) => {
      const d = (r.detail ? JSON.parse(r.detail) : {}) as Record<string, unknown>;
      return {
        at: isoUtc(r.at),
        actor_type: r.actorType,
        packages: Array.isArray(d.packages) ? (d.packages as string[]) : [],
        scope: typeof d.scope === 'string' ? d.scope : SHARED_SCOPE,
        reason: typeof d.reason === 'string' ? d.reason : 'failed',
        output: typeof d.output === 'string' ? d.output : '',
      };
    });
}

/** One install at a time: pip runs would fight over the same directory. */
let chain: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const next = chain.then(task, task);
  chain = next.catch(() => undefined);
  return next;
}

/** What installs need: the database, the configuration, the proven backend, the redactor. */
export interface RequirementsDeps {
  db: AirlockDb;
  clock: Clock;
  config: Config;
  logger: Logger;
  sandbox: Pick<Sandbox, 'backend'>;
  executions: Pick<ExecutionEngine, 'redactor'>;
}

/** PyPI's index and the host its files come from: pip's sources when none is configured. */
const PYPI = ['pypi.org:443', 'files.pythonhosted.org:443'];

/**
 * Where the installer may connect: the configured package sources, `host:port` each (PyPI by
 * default); undefined when it needs no network at all (no index, local wheels only).
 */
export function packageSourcesPolicy(
  config: Pick<Config, 'pipIndexUrl' | 'pipFindLinks' | 'pipNoIndex'>,
): NetworkPolicy | undefined {
  const urls = [
    ...(config.pipNoIndex ? [] : [config.pipIndexUrl]),
    ...(config.pipFindLinks !== undefined && /^https?:/.test(config.pipFindLinks)
      ? [config.pipFindLinks]
      : []),
  ];
  if (urls.length === 0) return undefined;
  const allow = urls.flatMap((u) => {
    if (u === undefined) return PYPI;
    const url = new URL(u);
    return [`${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`];
  });
  return parsePolicy({ mode: 'allowlist', allow });
}

/** Bigger than a script's: packages are large. Still bounded. */
const INSTALLER_EGRESS = { connections: 2000, bytes: 4 * 1024 ** 3, concurrent: 32 };

async function install(
  deps: RequirementsDeps,
  packages: string[],
  scope: string,
): Promise<InstallResult> {
  const { config } = deps;
  return serially(() => installInScope(config, scope, (dir) => installInto(deps, packages, dir)));
}

async function installInto(
  deps: RequirementsDeps,
  packages: string[],
  dir: string,
): Promise<InstallResult> {
  const { config } = deps;
  // The installer's one way out, as a script's: the egress proxy, allowing only the sources.
  const sources = packageSourcesPolicy(config);
  const egress = sources
    ? await openRunEgress({ ...config, egress: INSTALLER_EGRESS }, sources, {
        // The operator configured these hosts: an index on a private network is fine.
        namesMayBePrivate: true,
      })
    : undefined;
  try {
    const result = await installPackages({
      packagesDir: dir,
      packages,
      ...(config.pipIndexUrl ? { indexUrl: config.pipIndexUrl } : {}),
      ...(config.pipFindLinks ? { findLinks: config.pipFindLinks } : {}),
      ...(config.pipNoIndex ? { noIndex: true } : {}),
      ...(config.pipNoBuildIsolation ? { noBuildIsolation: true } : {}),
      treeLimits: { ...DEFAULT_TREE_LIMITS, maxBytes: config.packagesMaxBytes },
      ...(egress ? { network: egress.network } : { network: { mode: 'none' as const } }),
      // The backend the server's self-check proved (auto may have passed over a broken one).
      backend: deps.sandbox.backend === 'unconfined-dev' ? 'auto' : deps.sandbox.backend,
      python: config.python,
      installerUid: config.installerUid,
      timeoutMs: config.pipTimeoutMs,
    });
    const denied = egress?.records().filter((r) => r.verdict === 'denied') ?? [];
    if (denied.length > 0)
      deps.logger.warn('the package installer was refused connections', {
        hosts: [...new Set(denied.map((r) => `${r.host}:${r.port}`))].slice(0, 10),
      });
    return result;
  } finally {
    await egress?.close();
  }
}

/**
 * `GET /requirements`: what was installed through the API, with installed versions and their
 * scope (`shared`, or the profile whose scripts alone import it).
 */
export function listRequirements(deps: { db: AirlockDb }) {
  return deps.db
    .select()
    .from(requirements)
    .orderBy(asc(requirements.scope), asc(requirements.name))
    .all()
    .map((r) => ({
      name: r.name,
      spec: r.spec,
      version: r.installedVersion,
      scope: r.scope,
      installed_at: isoUtc(r.installedAt),
    }));
}

/**
 * Installs packages into a scope (`shared`, or the profile whose scripts alone import them),
 * confined (pip runs as an unprivileged uid with only the new generation writable). Specs are
 * validated before anything runs; a failed install answers with the installer's output,
 * redacted, and changes nothing.
 */
export async function installRequirements(
  deps: RequirementsDeps,
  packages: string[],
  actor: Actor,
  scope: string,
) {
  const invalid = validatePackageSpecs(packages);
  if (invalid !== undefined) throw new AppError('VALIDATION', invalid);
  const result = await install(deps, packages, scope);
  if (!result.ok) {
    // Redacted like every output (an install must not become a way to print one), then
    // bounded: cutting first could leave the end of a secret whole but its start cut away.
    let detail: string;
    try {
      const text = deps.executions
        .redactor()
        .redactString(`${result.error}\n${result.output}`.trim()).text;
      const tail = text.length > MAX_OUTPUT_CHARS ? `…${text.slice(-MAX_OUTPUT_CHARS)}` : text;
      detail = `Package installation failed (${result.reason}): ${tail}`;
    } catch {
      detail = `Package installation failed (${result.reason}); its output was withheld (redaction failed)`;
    }
    // The admin's Requirements page lists recent failures with the end of their output.
    recordAudit(deps, actor, 'requirements.install_failed', undefined, {
      packages,
      scope,
      reason: result.reason,
      output: detail.slice(-FAILURE_OUTPUT_CHARS),
    });
    throw new AppError('VALIDATION', detail);
  }
  const now = deps.clock();
  const dir = scopeDir(deps.config, scope);
  const versions = new Map(
    (dir ? listInstalled(dir) : []).map((p) => [projectName(p.name), p.version]),
  );
  deps.db.transaction((tx) => {
    for (const spec of packages) {
      const name = projectName(spec);
      const values = { spec, installedVersion: versions.get(name) ?? null, installedAt: now };
      tx.insert(requirements)
        .values({ scope, name, ...values })
        .onConflictDoUpdate({ target: [requirements.scope, requirements.name], set: values })
        .run();
    }
  });
  recordAudit(deps, actor, 'requirements.install', undefined, { packages, scope });
  return { installed: result.installed, packages: listRequirements(deps) };
}

/**
 * At startup: reinstall recorded requirements that the packages directory no longer holds (a
 * new container with the old database). Runs in the background; failures are logged.
 */
export async function reinstallMissing(deps: RequirementsDeps): Promise<void> {
  const all = listRequirements(deps);
  for (const scope of [...new Set(all.map((r) => r.scope))]) {
    const dir = scopeDir(deps.config, scope);
    const present = new Set((dir ? listInstalled(dir) : []).map((p) => projectName(p.name)));
    const missing = all.filter((r) => r.scope === scope && !present.has(r.name));
    if (missing.length === 0) continue;
    deps.logger.info('reinstalling recorded requirements', {
      scope,
      packages: missing.map((m) => m.spec),
    });
    const r = await install(
      deps,
      missing.map((m) => m.spec),
      scope,
    );
    if (!r.ok)
      deps.logger.error('reinstalling requirements failed', {
        scope,
        reason: r.reason,
        error: r.error,
      });
  }
}
