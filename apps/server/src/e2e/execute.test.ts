import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../test/harness.js';
import { agent } from './agent.js';

let ctx = createTestContext();
afterEach(async () => {
  await ctx.deps.executions.shutdown();
  ctx.close();
  ctx = createTestContext();
});

describe('execution through the real sandbox', () => {
  it('runs a script with settings, set_result and stdout; secrets redacted', async () => {
    const token = await ctx.adminToken();
    const key = await ctx.lockedProfile(token, { API_TOKEN: 'tok-very-secret-12345' });
    const a = agent(ctx, key);
    const res = await a.run(
      [
        "token = settings['API_TOKEN']",
        "print('token is', token)",
        "print('has', 'API_TOKEN' in settings, sorted(settings.keys()))",
        "set_result({'length': len(token), 'echo': token, 'nested': [1, {'ok': True}]})",
      ].join('\n'),
    );
    expect(res.status).toBe('completed');
    expect(res.stdout).toContain('token is [REDACTED:API_TOKEN]');
    expect(res.stdout).toContain("has True ['API_TOKEN']");
    expect(res.stdout).not.toContain('tok-very-secret-12345');
    expect(res.result).toEqual({
      length: 21,
      echo: '[REDACTED:API_TOKEN]',
      nested: [1, { ok: true }],
    });
    expect(res.error).toBeNull();
    expect(typeof res.execution_time_ms).toBe('number');
  });
});
