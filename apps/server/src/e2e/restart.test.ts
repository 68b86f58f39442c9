import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { processesOf } from '@airlock/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/**
 * `kill -9` of the real server process while executions run, wait in the queue and await the
 * LLM, and its warm pool waits: no sandbox process survives it, and at the next start every one of them is `error` with
 * the interruption as its reason; nothing runs again; /health is fine.
 */
// Its own uid range, so sandboxes of tests running alongside are never counted or killed.
const root = traversableTempDir('airlock-restart-');
// One slot: the sleeper holds it, the paused run holds none, the third stays queued.
const env = { AIRLOCK_CONCURRENCY: '1' };
let server: SpawnedServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('kill -9 of the server', () => {
  it('leaves no sandbox process, and every unfinished execution is interrupted at restart', async () => {
    const dataDir = join(root, 'data');
    server = await spawnServer(dataDir, env);
    const s = server;
    const p = await lockedProfileOn(s, { K: 'restart-secret-value' });
    const submit = async (script: string) => (await p.execute(script)).json.execution_id as string;
    const llm = await submit("llm.complete('hold on')");
    // Busy, not asleep: a sleeping run gives its slot up (it computes nothing).
    const sleeper = await submit("print('running', flush=True)\nwhile True: pass");
    const queued = await submit("print('must never run')");
    const status = async (id: string) =>
      (await s.api('GET', `/executions/${id}`)).json.status as string;
    for (let i = 0; i < 50; i++) {
      if ((await status(llm)) === 'awaiting_llm' && (await status(sleeper)) === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await status(llm)).toBe('awaiting_llm');
    expect(await status(sleeper)).toBe('running');
    expect(await status(queued)).toBe('pending');
    expect((await s.api('GET', '/health')).json.queue).toMatchObject({
      running: 1,
      waiting: 1,
      queued: 1,
    });

    const uids = Array.from({ length: 64 }, (_, i) => s.uidBase + i);
    expect(processesOf(uids).length).toBeGreaterThan(0);
    await s.kill9();
    let left = processesOf(uids);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesOf(uids);
    }
    expect(left).toEqual([]);

    // Restarted without a warm pool: any sandbox process now would be a run that started again.
    server = await spawnServer(dataDir, { ...env, AIRLOCK_WARM_POOL: '0' });
    for (const id of [llm, sleeper, queued]) {
      const r = (await server.api('GET', `/executions/${id}`)).json;
      expect(r.status).toBe('error');
      expect(r.error).toMatch(/interrupted: server restarted/);
    }
    expect((await server.api('GET', `/executions/${queued}`)).json.stdout).toBe('');
    expect((await server.api('GET', '/health')).status).toBe(200);
    // Nothing runs again: still no sandbox process a moment later.
    await new Promise((r) => setTimeout(r, 500));
    expect(processesOf(uids)).toEqual([]);
  });
});
