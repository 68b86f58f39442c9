import { afterEach, describe, expect, it } from 'vitest';
import { agent } from '../../e2e/agent.js';
import { createTestContext } from '../../test/harness.js';

/**
 * What the admin executions list adds to each row for the UI: the script's first line and
 * whether the run was cancelled (runs through the real sandbox).
 */
const contexts: ReturnType<typeof createTestContext>[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) {
    await c.deps.executions.shutdown();
    c.close();
  }
});

async function setup() {
  const ctx = createTestContext();
  contexts.push(ctx);
  const token = await ctx.adminToken();
  const key = await ctx.lockedProfile(token, { API_TOKEN: 'tok-very-secret-12345' });
  return { ctx, token, key, a: agent(ctx, key) };
}

describe('admin executions: first line and cancelled', () => {
  it('a cancelled run is marked cancelled (list and detail); a failing script is not', async () => {
    const { ctx, token, key, a } = await setup();
    const failed = await a.run('\n  # fails on purpose\nraise ValueError("cancelled: not really")');
    expect(failed.status).toBe('error');
    const slow = await a.submit('import time\ntime.sleep(60)');
    await a.waitFor(slow.json.execution_id, ['running']);
    const cancel = await ctx.call(
      'POST',
      `/api/admin/executions/${slow.json.execution_id}/cancel`,
      {
        token,
      },
    );
    expect(cancel.status).toBe(200);
    await a.waitFor(slow.json.execution_id);

    const list = await ctx.call('GET', `/api/admin/executions?profile_id=${key.profileId}`, {
      token,
    });
    // The test clock stands still: both rows have one time, so look them up by id.
    const row = (id: string) =>
      list.json.executions.find((e: { execution_id: string }) => e.execution_id === id);
    expect(list.json.executions).toHaveLength(2);
    expect(row(slow.json.execution_id)).toMatchObject({
      status: 'error',
      cancelled: true,
      script_first_line: 'import time',
    });
    expect(row(failed.execution_id)).toMatchObject({
      status: 'error',
      cancelled: false,
      script_first_line: '# fails on purpose',
    });
    const detail = await ctx.call('GET', `/api/admin/executions/${slow.json.execution_id}`, {
      token,
    });
    expect(detail.json).toMatchObject({ cancelled: true, error: 'cancelled by the admin' });
  });

  it('revoking the profile cancels its open runs, marked cancelled', async () => {
    const { ctx, token, key, a } = await setup();
    const asking = await a.submit('answer = llm.complete("ok?")\nprint(answer)');
    await a.waitFor(asking.json.execution_id, ['awaiting_llm']);
    const revoked = await ctx.call('POST', `/api/admin/profiles/${key.profileId}/revoke`, {
      token,
    });
    expect(revoked.status).toBe(200);
    await a.waitFor(asking.json.execution_id);
    const detail = await ctx.call('GET', `/api/admin/executions/${asking.json.execution_id}`, {
      token,
    });
    expect(detail.json).toMatchObject({
      status: 'error',
      cancelled: true,
      script_first_line: 'answer = llm.complete("ok?")',
    });
  });
});
