import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.js';
import type { AppEnv } from '../../http/context.js';
import { baseUrl } from '../../lib/base-url.js';
import { skillListing } from '../../services/skill/live.js';
import { renderSkill } from '../../services/skill/render.js';

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
    const text = renderSkill({
      baseUrl: baseUrl(c, deps.config),
      listing: skillListing(deps.db, deps.clock()),
      maxTimeoutSeconds: deps.config.maxTimeoutSeconds,
      defaultTimeoutSeconds: deps.config.defaultTimeoutSeconds,
      llmWaitLimitSeconds: deps.config.llmWaitLimitSeconds,
    });
    return c.body(text, 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
}
