/**
 * The egress proxy of one execution: a unix socket in `<data dir>/egress`, bound into the
 * sandbox as its only way out, served by an @airlock/egress session holding the profile's
 * (frozen) policy. Closed, with its socket removed, when the run ends.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  type BrokerOptions,
  type CompiledPolicy,
  type ConnectionRecord,
  compilePolicy,
  createEgressSession,
  type NetworkPolicy,
} from '@airlock/egress';
import type { NetworkPolicy as SandboxNetwork } from '@airlock/sandbox';
import type { Config } from '../../config.js';

export interface RunEgress {
  /** What the sandbox is told: `none`, or `egress` with the socket. */
  network: SandboxNetwork;
  /** The attempts so far. */
  records(): ConnectionRecord[];
  /** Attempts beyond the recorded ones (refused, only counted). */
  dropped(): number;
  /** Cuts every connection and removes the socket. */
  close(): Promise<void>;
}

/**
 * The names a script's resolver may answer (synthetic addresses; the proxy still decides):
 * every name for `open`, the name and wildcard entries of an allowlist.
 */
export function policyNames(policy: CompiledPolicy): string[] {
  if (policy.mode === 'open') return ['*'];
  return policy.entries.flatMap((e) =>
    e.kind === 'name' ? [e.name] : e.kind === 'wildcard' ? [`*.${e.suffix}`] : [],
  );
}

const NONE: RunEgress = {
  network: { mode: 'none' },
  records: () => [],
  dropped: () => 0,
  close: async () => {},
};

/**
 * Opens the egress path of a run: none at all for a `none` policy (the sandbox keeps its empty
 * network namespace with nothing bound into it).
 */
export async function openRunEgress(
  config: Pick<Config, 'egressDir' | 'egress' | 'port' | 'egressResolve'>,
  policy: NetworkPolicy,
  options: {
    namesMayBePrivate?: boolean;
    /** Brokered credentials (intercepting their hosts), and the bundle the sandbox trusts. */
    broker?: { options: BrokerOptions; trustBundle: string } | undefined;
  } = {},
): Promise<RunEgress> {
  if (policy.mode === 'none') return NONE;
  // Traversable (0711) so the sandbox's uid can reach its socket, not listable.
  mkdirSync(config.egressDir, { recursive: true, mode: 0o711 });
  chmodSync(config.egressDir, 0o711);
  const path = join(config.egressDir, `${randomBytes(16).toString('hex')}.sock`);
  const compiled = compilePolicy(policy);
  const session = createEgressSession({
    policy: compiled,
    ownPorts: [config.port],
    limits: config.egress,
    resolve: resolverWith(config.egressResolve),
    ...(options.namesMayBePrivate ? { namesMayBePrivate: true } : {}),
    ...(options.broker ? { broker: options.broker.options } : {}),
  });
  const server = createServer((s) => session.handle(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // Any uid may connect: the path is random and the directory unlistable; the policy decides.
  chmodSync(path, 0o666);
  return {
    network: {
      mode: 'egress',
      socket: path,
      names: policyNames(compiled),
      ...(options.broker ? { trust: options.broker.trustBundle } : {}),
    },
    records: () => session.records(),
    dropped: () => session.dropped(),
    close: async () => {
      session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    },
  };
}

/** The system resolver, after the operator's own answers (`AIRLOCK_EGRESS_RESOLVE`). */
function resolverWith(fixed: Record<string, string[]>): (host: string) => Promise<string[]> {
  return async (host) => {
    const own = fixed[host.toLowerCase().replace(/\.$/, '')];
    if (own) return own;
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  };
}
