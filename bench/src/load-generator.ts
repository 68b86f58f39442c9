/**
 * A closed-loop HTTP load generator, run as its own process so it does not share the server's
 * event loop or CPU accounting: `node load-generator.ts <url> <connections> <seconds>`; prints
 * one JSON line `{requests, errors, seconds, latenciesMs: [...]}`.
 */
import { Agent, request } from 'node:http';

const [url, connArg, secArg] = process.argv.slice(2);
if (!url) throw new Error('usage: load-generator <url> <connections> <seconds>');
const connections = Number(connArg ?? 16);
const seconds = Number(secArg ?? 5);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const latencies: number[] = [];
let errors = 0;
const deadline = performance.now() + seconds * 1000;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = request(url as string, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t);
        else errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

const start = performance.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) await once();
  }),
);
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, errors, seconds: elapsed, latenciesMs: latencies })}\n`,
);
agent.destroy();
