/**
 * API throughput for a read endpoint (`GET /credentials`, 20 credentials) under a load generator
 * in a second process, against a bare `node:http` server answering the same JSON in the same run
 * (the ratio shows Airlock's own cost); server memory at idle and under that load.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fmt, stats, writeSection } from './report.js';
import { startServer } from './server.js';

const run = promisify(execFile);
const GENERATOR = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
const CONNECTIONS = 16;
const SECONDS = 5;

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

async function load(url: string): Promise<LoadResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', GENERATOR, url, String(CONNECTIONS), String(SECONDS)],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as LoadResult;
}

const server = await startServer();
try {
  const admin = {
    authorization: `Bearer ${server.adminToken}`,
    'content-type': 'application/json',
  };
  for (let i = 0; i < 19; i++) {
    await fetch(`${server.url}/api/admin/credentials`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: `CRED_${i}`, description: `credential number ${i}` }),
    });
  }
  const body = await (await fetch(`${server.url}/credentials`)).text();
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/credentials`;

  await load(`${server.url}/credentials`); // warm-up
  const idleRss = server.rssMiB();
  let peakRss = idleRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, server.rssMiB());
  }, 200);
  const airlock = await load(`${server.url}/credentials`);
  clearInterval(sampler);
  const reference = await load(bareUrl);
  bare.close();

  const a = stats(airlock.latenciesMs);
  const r = stats(reference.latenciesMs);
  const aRps = airlock.requests / airlock.seconds;
  const rRps = reference.requests / reference.seconds;
  writeSection(
    'api',
    'API throughput: GET /credentials (load generator in a second process)',
    `
${CONNECTIONS} keep-alive connections, ${SECONDS} s each, on the same 2 cores as the server.

| target | requests/s | median ms | p95 ms | errors |
|---|---:|---:|---:|---:|
| Airlock \`GET /credentials\` (20 credentials) | ${fmt(aRps, 0)} | ${fmt(a.median, 2)} | ${fmt(a.p95, 2)} | ${airlock.errors} |
| bare \`node:http\` answering the same JSON | ${fmt(rRps, 0)} | ${fmt(r.median, 2)} | ${fmt(r.p95, 2)} | ${reference.errors} |

Airlock serves **${fmt((aRps / rRps) * 100, 0)}%** of the bare server's rate.
Server memory (RSS): ${fmt(idleRss)} MiB after the warm-up load, ${fmt(peakRss)} MiB peak under
this load (idle figures, taken after V8 has given memory back: the execution section).
`,
  );
} finally {
  await server.stop();
}
