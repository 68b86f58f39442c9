/**
 * End-to-end execution, without and with the warm pool (ADR 0088), each server measured in the
 * same run against the same references: latency of a trivial execution (one `POST
 * /execute?wait=`; and POST then long-poll) against bare `/usr/bin/python3 -I -c pass`;
 * sustained trivial executions per second against bare python spawns per second with two in
 * parallel; 20 scripts sleeping 0.5 s each; the server's memory at idle and under load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fmt, stats, writeSection } from './report.js';
import { type BenchServer, startServer } from './server.js';

const bare: number[] = [];
for (let i = 0; i < 60; i++) {
  const t = performance.now();
  spawnSync('/usr/bin/python3', ['-I', '-c', 'pass']);
  bare.push(performance.now() - t);
}
const b = stats(bare);

/** Bare python spawns per second, two at a time (the server's default concurrency). */
async function bareRate(total: number): Promise<number> {
  const t0 = performance.now();
  let left = total;
  const one = () =>
    new Promise<void>((resolve) => {
      spawn('/usr/bin/python3', ['-I', '-c', 'pass']).once('close', () => resolve());
    });
  const worker = async () => {
    while (left-- > 0) await one();
  };
  await Promise.all([worker(), worker()]);
  return total / ((performance.now() - t0) / 1000);
}

interface Figures {
  oneTrip: ReturnType<typeof stats>;
  twoTrips: ReturnType<typeof stats>;
  rate: number;
  sleepers: number;
  idleRss: number;
  poolRss: number;
  peakRss: number;
}

/**
 * Idle means no request for a while: V8 returns the heap that startup and the first requests
 * grew only once its memory reducer has run (tens of seconds without work), so the figure is
 * taken after 40 s without a request.
 */
const IDLE_MS = 40_000;

async function measure(server: BenchServer): Promise<Figures> {
  for (let i = 0; i < 5; i++) await server.executeWait('pass', 10); // warm-up
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleRss = server.rssMiB();
  const poolRss = server.sandboxRssMiB();
  const oneTrip: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const r = await server.executeWait(`set_result(${i})`, 10);
    if (r.body.status !== 'completed') throw new Error(`execution ended ${r.body.status}`);
    oneTrip.push(performance.now() - t);
    // Sequential runs one after another, as an agent makes them: the pool refills meanwhile.
    await new Promise((r) => setTimeout(r, 20));
  }
  const twoTrips: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const { execution_id } = await server.execute(`set_result(${i})`);
    await server.waitDone(execution_id);
    twoTrips.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Sustained throughput: keep the queue fed (24 clients) for 200 executions.
  const total = 200;
  let submitted = 0;
  let peakRss = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (submitted < total) {
      submitted++;
      const r = await server.executeWait("print('x' * 100)", 30);
      const done = r.body.status === 'completed' ? r.body : await server.waitDone(r.execution_id);
      if (done.status !== 'completed') throw new Error(`execution ended ${done.status}`);
      if (submitted % 20 === 0) peakRss = Math.max(peakRss, server.rssMiB());
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
  const rate = total / ((performance.now() - t0) / 1000);
  // 20 scripts that sleep 0.5 s, all at once: wall time.
  const s0 = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const r = await server.executeWait('import time\ntime.sleep(0.5)', 60);
      if (r.body.status !== 'completed') await server.waitDone(r.execution_id);
    }),
  );
  const sleepers = (performance.now() - s0) / 1000;
  return {
    oneTrip: stats(oneTrip),
    twoTrips: stats(twoTrips),
    rate,
    sleepers,
    idleRss,
    poolRss,
    peakRss,
  };
}

const cold = await startServer({ AIRLOCK_WARM_POOL: '0' });
let off: Figures;
try {
  off = await measure(cold);
} finally {
  await cold.stop();
}
const pooled = await startServer();
let on: Figures;
try {
  on = await measure(pooled);
} finally {
  await pooled.stop();
}
const spawnRate = await bareRate(200);

const ratio = (x: number) => `${fmt(x / b.median, 2)}×`;
const row = (name: string, f: Figures) =>
  `| ${name} | ${fmt(f.oneTrip.median)} (${ratio(f.oneTrip.median)}) | ${fmt(f.oneTrip.p95)} (${ratio(f.oneTrip.p95)}) | ${fmt(f.twoTrips.median)} (${ratio(f.twoTrips.median)}) | ${fmt(f.rate)} (${fmt(f.rate / spawnRate, 2)}) | ${fmt(f.sleepers, 2)} s | ${fmt(f.idleRss)} MiB (+ ${fmt(f.poolRss)} pooled) / ${fmt(f.peakRss)} MiB |`;
writeSection(
  'execution',
  'End-to-end execution (server + sandbox), without and with the warm pool',
  `
References measured in the same run: bare \`/usr/bin/python3 -I -c pass\` takes **${fmt(b.median)} ms**
at the median (p95 ${fmt(b.p95)} ms); bare python spawns two at a time reach **${fmt(spawnRate)}/s**.

| server | trivial run, one \`POST /execute?wait=10\`, median ms (vs bare) | p95 (vs bare) | POST then long-poll, median (vs bare) | sustained runs/s, 24 clients (vs bare spawns/s) | 20 × sleep 0.5 s, wall | server RSS idle (+ pooled sandboxes) / peak |
|---|---:|---:|---:|---:|---:|---:|
${row('warm pool off (`AIRLOCK_WARM_POOL=0`)', off)}
${row('warm pool on (default, 2)', on)}

Default concurrency (2) in both; the server is the built one \`pnpm start\` runs. Idle RSS is
taken after ${IDLE_MS / 1000} s without a request (V8 gives back what startup grew only then); "pooled"
sums the RSS of the waiting sandboxes' processes (shared pages counted in each). A sleeping
script gives its slot up once two samples (20 ms apart while runs queue) saw it blocked (ADR
0089); with the pool's two sandboxes taken, the other sleepers start cold.
`,
);
