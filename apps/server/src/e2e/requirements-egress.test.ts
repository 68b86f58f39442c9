import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { signApiRequest } from '@airlock/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';
import { buildWheel } from '../test/wheels.js';

/**
 * The confined `pip` leaves its sandbox the way scripts do: through the egress proxy, which
 * allows only the configured package index. A PEP 503 index of our own on 127.0.0.1 serves a
 * wheel; the spawned server (default configuration plus that index URL) installs it.
 */
const root = traversableTempDir('airlock-req-egress-');
const wheels = join(root, 'wheels');
let index: Server;
let server: SpawnedServer;
const requested: string[] = [];

beforeAll(async () => {
  mkdirSync(wheels, { mode: 0o755 });
  buildWheel(wheels, 'airlock-egress-pkg', '1.0.0', 'installed through the egress proxy');
  index = createServer((req, res) => {
    requested.push(req.url ?? '');
    const files = readdirSync(wheels);
    if (req.url === '/simple/airlock-egress-pkg/') {
      res.setHeader('content-type', 'text/html');
      res.end(files.map((f) => `<a href="/files/${f}">${f}</a>`).join('\n'));
    } else if (req.url?.startsWith('/files/') && files.includes(req.url.slice(7))) {
      res.end(readFileSync(join(wheels, req.url.slice(7))));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  index.listen(0, '127.0.0.1');
  await once(index, 'listening');
  const port = (index.address() as { port: number }).port;
  server = await spawnServer(join(root, 'data'), {
    AIRLOCK_PIP_INDEX_URL: `http://127.0.0.1:${port}/simple/`,
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  index.close();
  rmSync(root, { recursive: true, force: true });
});

describe('package installs through the egress proxy', () => {
  it('installs from the configured index (the only host pip may reach), scripts import it', async () => {
    const p = await lockedProfileOn(server, { REQ_KEY: 'req-egress-secret-1' });
    const body = JSON.stringify({ packages: ['airlock-egress-pkg==1.0.0'] });
    const r = await server.api('POST', '/requirements', JSON.parse(body), {
      authorization: `Bearer ${p.keyId}`,
      ...signApiRequest(p.secret, { method: 'POST', target: '/requirements', body }).headers,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(requested).toContain('/simple/airlock-egress-pkg/');
    const run = await p.waitDone(
      (
        await p.execute(
          'import airlock_egress_pkg, urllib.request, urllib.error\nout = [airlock_egress_pkg.VALUE]\ntry:\n    urllib.request.urlopen("http://pypi.org/", timeout=5)\nexcept OSError as e:\n    out.append(type(e).__name__)\nset_result(out)',
        )
      ).json.execution_id,
    );
    // The script's own profile has no network: the installer's sources are not its.
    expect(run).toMatchObject({
      status: 'completed',
      result: ['installed through the egress proxy', expect.any(String)],
    });
    expect(run.result[1]).not.toBe('reached');
  }, 120_000);
});
