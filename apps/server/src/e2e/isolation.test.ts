import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../test/harness.js';
import { agent } from './agent.js';

/**
 * 20 concurrent executions across 4 profiles, each printing its own credentials and a marker:
 * each output holds only its own marker, no other profile's secret appears unredacted, and every
 * request either completes or is refused cleanly with Retry-After.
 */
const ctx = createTestContext();
afterAll(async () => {
  await ctx.deps.executions.shutdown();
  ctx.close();
});

describe('isolation under concurrency', () => {
  it('keeps each output to its own execution', async () => {
    const token = await ctx.adminToken();
    const profiles: {
      p: number;
      key: Awaited<ReturnType<typeof ctx.lockedProfile>>;
      values: Record<string, string>;
    }[] = [];
    for (let p = 0; p < 4; p++) {
      const values = { [`P${p}_TOKEN`]: `profile-${p}-secret-token-value` };
      profiles.push({ p, key: await ctx.lockedProfile(token, values), values });
    }
    const allSecrets = profiles.flatMap((x) => Object.values(x.values));
    const jobs = Array.from({ length: 20 }, (_, i) => {
      const { p, key } = profiles[i % 4] as (typeof profiles)[number];
      const marker = `marker-${i}-${p}`;
      const script = [
        'import time',
        `print(${JSON.stringify(marker)})`,
        'for name in sorted(settings.keys()):',
        '    print(name, settings[name])',
        'time.sleep(0.05)',
        `set_result({'marker': ${JSON.stringify(marker)}, 'names': sorted(settings.keys())})`,
      ].join('\n');
      return { i, p, marker, a: agent(ctx, key), script };
    });
    const submitted = await Promise.all(jobs.map((j) => j.a.submit(j.script)));
    const outcomes = await Promise.all(
      submitted.map(async (s, k) => {
        const job = jobs[k] as (typeof jobs)[number];
        if (s.status === 429) {
          expect(Number(s.headers.get('retry-after'))).toBeGreaterThan(0);
          return { job, res: null };
        }
        expect(s.status).toBe(202);
        return { job, res: await job.a.waitFor(s.json.execution_id) };
      }),
    );
    let completed = 0;
    for (const { job, res } of outcomes) {
      if (res === null) continue;
      completed++;
      expect(res.status).toBe('completed');
      expect(res.result).toEqual({ marker: job.marker, names: [`P${job.p}_TOKEN`] });
      expect(res.stdout).toContain(job.marker);
      expect(res.stdout).toContain(`P${job.p}_TOKEN [REDACTED:P${job.p}_TOKEN]`);
      for (const other of jobs.filter((j) => j.marker !== job.marker))
        expect(res.stdout).not.toContain(other.marker);
      for (const secret of allSecrets) expect(JSON.stringify(res)).not.toContain(secret);
    }
    expect(completed).toBe(20);
    expect((await ctx.call('GET', '/health')).status).toBe(200);
  });
});
