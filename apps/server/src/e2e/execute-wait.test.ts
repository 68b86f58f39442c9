import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { signV2 } from '@airlock/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lockedProfileOn,
  type SpawnedServer,
  spawnServer,
  traversableTempDir,
} from '../test/spawn-server.js';

/** `POST /execute?wait=`: one round trip for the common case, through the spawned server. */
const root = traversableTempDir('airlock-exec-wait-');
let server: SpawnedServer;
let p: Awaited<ReturnType<typeof lockedProfileOn>>;

beforeAll(async () => {
  server = await spawnServer(join(root, 'data'));
  p = await lockedProfileOn(server, { WAIT_KEY: 'execute-wait-secret-1' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

function submit(script: string, wait: number, signed = signV2(p.secret, script)) {
  return server.api(
    'POST',
    `/execute?wait=${wait}`,
    { script, hash: signed.hash },
    { authorization: `Bearer ${p.keyId}`, ...signed.headers },
  );
}

describe('POST /execute?wait=', () => {
  it('a fast script: 200 with the finished poll body in one request, secrets redacted', async () => {
    const r = await submit('print(settings["WAIT_KEY"])\nset_result(6 * 7)', 30);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      status: 'completed',
      result: 42,
      stdout: '[REDACTED:WAIT_KEY]\n',
      network: [],
    });
    expect(r.json.execution_id).toMatch(/^exec_/);
  }, 60_000);

  it('a slow script: 202 when the wait ends, and it keeps running', async () => {
    const t0 = Date.now();
    const r = await submit('import time\ntime.sleep(4)\nset_result("late")', 1);
    expect(r.status).toBe(202);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(r.json).toMatchObject({ status: expect.stringMatching(/^(pending|running)$/) });
    expect((await p.waitDone(r.json.execution_id)).result).toBe('late');
  }, 60_000);

  it('an LLM pause: 200 awaiting_llm with the prompt', async () => {
    const r = await submit('set_result(llm.complete("what is 2+2?"))', 30);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      status: 'awaiting_llm',
      prompt: 'what is 2+2?',
      llm_request: { prompt: 'what is 2+2?', model: 'default' },
    });
    await server.api('POST', `/executions/${r.json.execution_id}/respond`, { response: '4' });
    expect((await p.waitDone(r.json.execution_id)).result).toBe('4');
  }, 60_000);

  it('a retried version-2 request returns the same execution, and runs it once', async () => {
    const script = 'print("once")\nset_result(1)';
    const signed = signV2(p.secret, script);
    const first = await submit(script, 30, signed);
    const retry = await submit(script, 30, signed);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.json.execution_id).toBe(first.json.execution_id);
    expect(retry.json).toMatchObject({ status: 'completed', stdout: 'once\n' });
  }, 60_000);

  it('the wait is bounded (at most 60 s) and validated', async () => {
    const bad = await submit('print(1)', -1);
    expect(bad.status).toBe(422);
  }, 60_000);
});
