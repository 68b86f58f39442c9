import { credentials, profiles } from '@airlock/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../test/harness.js';
import { secretsGeneration } from './redaction.js';

describe('the stored-secrets generation', () => {
  it('moves with every write that can change a stored secret, and only those', async () => {
    const ctx = createTestContext();
    try {
      const token = await ctx.adminToken();
      const db = ctx.deps.db;
      const at = () => secretsGeneration(db);
      let g = at();
      const moved = () => {
        const now = at();
        const m = now !== g;
        g = now;
        return m;
      };
      await ctx.call('POST', '/api/admin/credentials', {
        token,
        body: { name: 'GEN_KEY', value: 'gen-value-0123456' },
      });
      expect(moved()).toBe(true);
      await ctx.call('PUT', '/api/admin/credentials/GEN_KEY', {
        token,
        body: { value: 'gen-value-rotated-01' },
      });
      expect(moved()).toBe(true);
      await ctx.call('PUT', '/api/admin/credentials/GEN_KEY', {
        token,
        body: { description: 'only words' },
      });
      expect(moved()).toBe(false);
      const key = await ctx.lockedProfile(token, { OTHER_GEN: 'other-gen-value-01' });
      expect(moved()).toBe(true);
      db.update(profiles).set({ description: 'x' }).where(eq(profiles.id, key.profileId)).run();
      expect(moved()).toBe(false);
      db.delete(credentials).where(eq(credentials.name, 'GEN_KEY')).run();
      expect(moved()).toBe(true);
      // The cached redactor follows: a rotated value is masked from the next use on.
      await ctx.call('PUT', '/api/admin/credentials/OTHER_GEN', {
        token,
        body: { value: 'brand-new-value-99' },
      });
      expect(ctx.deps.executions.redactor().redactString('x brand-new-value-99 y').text).toBe(
        'x [REDACTED:OTHER_GEN] y',
      );
    } finally {
      ctx.close();
    }
  });
});
