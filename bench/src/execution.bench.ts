/**
 * End-to-end execution: latency of a trivial execution (POST /execute, then long-poll to
 * completion) against bare `/usr/bin/python3 -I -c pass` in the same run, sustained executions
 * per second with the default concurrency (2), and the server's memory at idle and under load.
 */
import { spawnSync } from 'node:child_process';
import { fmt, stats, writeSection } from './report.js';
import { startServer } from './server.js';

const server = await startServer();
try {
  const bare: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    spawnSync('/usr/bin/python3', ['-I', '-c', 'pass']);
    bare.push(performance.now() - t);
  }
  for (let i = 0; i < 5; i++) await server.waitDone((await server.execute('pass')).execution_id); // warm-up
  const idleRss = server.rssMiB();

  const e2e: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const { execution_id } = await server.execute(`set_result(${i})`);
    await server.waitDone(execution_id);
    e2e.push(performance.now() - t);
  }

  // Sustained throughput: keep the queue fed (at most 24 in flight) for 200 executions.
  const total = 200;
  let submitted = 0;
  let done = 0;
  let peakRss = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (submitted < total) {
      submitted++;
      const { execution_id, status } = await server.execute("print('x' * 100)");
      if (status !== 202) throw new Error(`execute answered ${status}`);
      const r = await server.waitDone(execution_id);
      if (r.status !== 'completed') throw new Error(`execution ended ${r.status}`);
      done++;
      if (done % 20 === 0) peakRss = Math.max(peakRss, server.rssMiB());
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
  const seconds = (performance.now() - t0) / 1000;

  const b = stats(bare);
  const e = stats(e2e);
  writeSection(
    'execution',
    'End-to-end execution (server + sandbox)',
    `
| measure | median ms | p95 ms | ratio to bare python (median) |
|---|---:|---:|---:|
| bare \`/usr/bin/python3 -I -c pass\` | ${fmt(b.median)} | ${fmt(b.p95)} | 1.00× |
| \`POST /execute\` → long-poll to \`completed\` (trivial script) | ${fmt(e.median)} | ${fmt(e.p95)} | ${fmt(e.median / b.median, 2)}× |

Sustained: ${total} executions with 24 clients and the default concurrency (2): **${fmt(total / seconds)} executions/s**
(${fmt(seconds)} s).

Server memory (RSS): ${fmt(idleRss)} MiB after warm-up, ${fmt(peakRss)} MiB peak under that load.
`,
  );
} finally {
  await server.stop();
}
