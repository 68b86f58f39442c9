/**
 * Egress: time to first byte of an allowed HTTP request made by a script, through the egress
 * path (the sandbox's relay, the unix socket, the host proxy deciding by the policy), against the
 * same request from bare python on the host, in the same run. Each request is a new connection
 * (urllib), as most scripts make them; the HTTP server is local, so the numbers are the path's
 * own cost.
 */

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compilePolicy, createEgressSession } from '@airlock/egress';
import { claimFreeUids, createSandbox } from '@airlock/sandbox';
import { fmt, stats, writeSection } from './report.js';

const run = promisify(execFile);

const N = Number(process.env.EGRESS_BENCH_N ?? 100);

const script = (url: string) => `
import time, urllib.request, json
samples = []
for i in range(${N + 10}):
    t0 = time.perf_counter()
    with urllib.request.urlopen(${JSON.stringify(url)}, timeout=10) as r:
        r.read(1)
        samples.append((time.perf_counter() - t0) * 1000)
print(json.dumps(samples[10:]))
`;

async function main(): Promise<void> {
  const web = createHttpServer((_req, res) => res.end('x'.repeat(1024)));
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  const url = `http://127.0.0.1:${(web.address() as { port: number }).port}/`;

  // Bare python on the host: no proxy, straight to the server (asynchronously: the server runs
  // in this process).
  const bare = await run('/usr/bin/python3', ['-I', '-c', script(url)], {
    env: { PATH: '/usr/bin' },
  });
  const sBare = stats(JSON.parse(bare.stdout) as number[]);

  // Through the egress path, with a policy naming the server.
  const dir = mkdtempSync(join(tmpdir(), 'airlock-egress-bench-'));
  chmodSync(dir, 0o755);
  const socket = join(dir, 'egress.sock');
  const session = createEgressSession({
    policy: compilePolicy({ mode: 'allowlist', allow: [url.slice(7, -1)] }),
    ownPorts: [],
  });
  const proxy = createServer((s) => session.handle(s));
  proxy.listen(socket);
  await once(proxy, 'listening');
  chmodSync(socket, 0o666);
  const { first, release } = claimFreeUids(8);
  const sandbox = createSandbox({ backend: 'bwrap', uidBase: first, poolSize: 4, log: () => {} });
  const r = await sandbox.run({
    script: script(url),
    network: { mode: 'egress', socket },
    limits: { timeoutMs: 120_000 },
  }).result;
  if (r.status !== 'completed') throw new Error(`sandboxed run failed: ${r.status}`);
  const sEgress = stats(JSON.parse(r.stdout.toString()) as number[]);
  const allowed = session.records().filter((x) => x.verdict === 'allowed').length;
  sandbox.close();
  release();
  proxy.close();
  web.close();
  rmSync(dir, { recursive: true, force: true });

  const row = (name: string, s: ReturnType<typeof stats>) =>
    `| ${name} | ${fmt(s.median, 2)} | ${fmt(s.p95, 2)} | ${fmt(s.min, 2)} | ${fmt(s.median / sBare.median, 2)}× |`;
  writeSection(
    'egress',
    'Egress: time to first byte of an allowed HTTP request from a script',
    `
${N} sequential requests per side after 10 warm-up ones, each a new connection (\`urllib\`), to a
local HTTP server answering 1 KiB; ms from \`urlopen\` to the first body byte. The egress side is
a real bwrap sandbox in network mode \`egress\` (the runtime's relay, the unix socket, the host
proxy checking the allowlist: ${allowed} connections allowed and recorded); the bare side is
\`/usr/bin/python3\` on the host, straight to the server.

| path | median | p95 | min | vs bare |
|---|---:|---:|---:|---:|
${row('bare python on the host', sBare)}
${row('script through the egress path', sEgress)}

Added by the egress path at the median: **${fmt(sEgress.median - sBare.median, 2)} ms** per new connection.
`,
  );
}

await main();
