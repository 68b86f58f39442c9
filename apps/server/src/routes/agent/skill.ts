import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { baseUrl } from '../../lib/base-url.js';
import { isoOrNull } from '../../lib/time.js';
import { listCredentialRows, profilesUsing } from '../../services/credentials/queries.js';
import { isExpired, linkedCredentials, listProfileRows } from '../../services/profiles/queries.js';
import { renderSkill, type SkillProfile } from '../../services/skill/render.js';

const skill = createRoute({
  method: 'get',
  path: '/skill.md',
  tags: ['agent'],
  summary: 'The agent guide for this instance, generated live (Markdown)',
  responses: {
    200: { description: 'Markdown', content: { 'text/markdown': { schema: z.string() } } },
  },
});

export function agentSkillRoutes(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>().openapi(skill, (c) => {
    const now = deps.clock();
    const profiles: SkillProfile[] = listProfileRows(deps.db).map((p) => ({
      id: p.id,
      description: p.description,
      state: p.revoked
        ? 'revoked'
        : isExpired(p, now)
          ? 'expired'
          : p.locked
            ? 'locked'
            : 'unlocked',
      keyId: p.keyId,
      expiresAt: isoOrNull(p.expiresAt),
      requireSignatureV2: p.requireSignatureV2,
      credentials: linkedCredentials(deps.db, p.id).map((x) => ({
        name: x.name,
        description: x.description,
        hasValue: x.hasValue,
      })),
    }));
    const unattached = listCredentialRows(deps.db)
      .filter((r) => profilesUsing(deps.db, r.id).length === 0)
      .map((r) => ({ name: r.name, description: r.description, hasValue: r.value !== null }));
    const text = renderSkill({
      baseUrl: baseUrl(c, deps.config),
      profiles,
      unattached,
      maxTimeoutSeconds: deps.config.maxTimeoutSeconds,
      defaultTimeoutSeconds: deps.config.defaultTimeoutSeconds,
      llmWaitLimitSeconds: deps.config.llmWaitLimitSeconds,
    });
    return c.body(text, 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
}
