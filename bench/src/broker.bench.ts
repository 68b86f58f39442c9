/**
 * Brokered credentials: time to first byte of one HTTPS request from a script, with the token
 * brokered (the proxy terminates TLS with the instance CA, puts the value in, verifies and
 * opens the upstream TLS, scrubs the response) against the same request with the token injected
 * (end-to-end TLS through the egress tunnel), in the same run, same sandbox backend, same local
 * HTTPS server. Each request is a new connection (`urllib`), as most scripts make them.
 */

import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import {
  brokerEntries,
  compilePolicy,
  createCertificateAuthority,
  createEgressSession,
  type EgressOptions,
  loadIssuer,
  makePlaceholder,
} from '@airlock/egress';
import { createRedactor } from '@airlock/redactor';
import { claimFreeUids, createSandbox } from '@airlock/sandbox';
import { fmt, stats, writeSection } from './report.js';

const N = Number(process.env.BROKER_BENCH_N ?? 100);
const VALUE = 'sk_live_bench0123456789abcdefghijkl';
const HOST = 'api.bench.test';

const script = (url: string) => `
import time, urllib.request, json
samples = []
for i in range(${N + 10}):
    req = urllib.request.Request(${JSON.stringify(url)}, headers={"Authorization": "Bearer " + settings["TOKEN"]})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read(1)
        samples.append((time.perf_counter() - t0) * 1000)
print(json.dumps(samples[10:]))
`;

async function main(): Promise<void> {
  const upstreamCa = await createCertificateAuthority('bench upstream CA');
  const upstream = await loadIssuer(upstreamCa);
  let authorized = 0;
  const web = createHttpsServer(
    { SNICallback: (name, cb) => upstream.contextFor(name).then((c) => cb(null, c), cb) },
    (req, res) => {
      if (req.headers.authorization === `Bearer ${VALUE}`) authorized++;
      res.end('x'.repeat(1024));
    },
  );
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  const port = (web.address() as { port: number }).port;
  const url = `https://${HOST}:${port}/`;

  const instance = await loadIssuer(await createCertificateAuthority('bench instance CA'));
  const dir = mkdtempSync(join(tmpdir(), 'airlock-broker-bench-'));
  chmodSync(dir, 0o755);
  const { first, release } = claimFreeUids(8);
  const sandbox = createSandbox({ backend: 'bwrap', uidBase: first, poolSize: 4, log: () => {} });

  /** One sandboxed run of the script through a proxy of its own; its samples. */
  const side = async (
    name: string,
    trust: string,
    token: string,
    extra: Partial<EgressOptions>,
  ) => {
    const socket = join(dir, `${name}.sock`);
    const bundle = join(dir, `${name}.pem`);
    writeFileSync(bundle, trust, { mode: 0o644 });
    const session = createEgressSession({
      policy: compilePolicy({ mode: 'allowlist', allow: [`${HOST}:${port}`] }),
      ownPorts: [],
      resolve: async () => ['127.0.0.1'],
      namesMayBePrivate: true,
      ...extra,
    });
    const proxy = createServer((s) => session.handle(s));
    proxy.listen(socket);
    await once(proxy, 'listening');
    chmodSync(socket, 0o666);
    const r = await sandbox.run({
      script: script(url),
      settings: { TOKEN: token },
      network: { mode: 'egress', socket, names: [HOST], trust: bundle },
      limits: { timeoutMs: 300_000 },
    }).result;
    proxy.close();
    if (r.status !== 'completed') throw new Error(`${name} run failed: ${r.stderr.toString()}`);
    return stats(JSON.parse(r.stdout.toString()) as number[]);
  };

  const injected = await side('injected', upstreamCa.certificate, VALUE, {});
  const placeholder = makePlaceholder(VALUE, new Set([VALUE]));
  const redactor = createRedactor([{ name: 'TOKEN', value: VALUE }]);
  const brokered = await side('brokered', instance.certificate, placeholder, {
    broker: {
      credentials: [
        { name: 'TOKEN', value: VALUE, placeholder, hosts: brokerEntries([`${HOST}:${port}`]) },
      ],
      issuer: instance,
      upstreamTrust: createSecureContext({ ca: [upstreamCa.certificate] }),
      scrubber: () => redactor.createByteStream(),
    },
  });
  sandbox.close();
  release();
  web.close();
  rmSync(dir, { recursive: true, force: true });
  if (authorized !== 2 * (N + 10))
    throw new Error(`upstream saw ${authorized} authorized requests`);

  const row = (name: string, s: ReturnType<typeof stats>) =>
    `| ${name} | ${fmt(s.median, 2)} | ${fmt(s.p95, 2)} | ${fmt(s.min, 2)} | ${fmt(s.median / injected.median, 2)}× |`;
  writeSection(
    'broker',
    'Brokered credentials: one HTTPS request, brokered vs injected',
    `
${N} sequential HTTPS requests per side after 10 warm-up ones, each a new connection (\`urllib\`,
\`Authorization: Bearer\`), from a real bwrap sandbox in network mode \`egress\` to a local HTTPS
server answering 1 KiB; ms from \`urlopen\` to the first body byte. Injected: the script holds the
value, TLS is end to end through the proxy's tunnel. Brokered: the script holds a placeholder;
the proxy terminates TLS with the instance CA, puts the value in, opens and verifies the
upstream TLS and scrubs the response. The upstream saw the value on every request of both
sides (${authorized}).

| credential | median | p95 | min | vs injected |
|---|---:|---:|---:|---:|
${row('injected (end-to-end TLS through the tunnel)', injected)}
${row('brokered (intercepted, value put in)', brokered)}

Added by brokering at the median: **${fmt(brokered.median - injected.median, 2)} ms** per request on a new connection.
`,
  );
}

await main();
