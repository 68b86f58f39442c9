/**
 * Rewrites the generated files that are committed: specs/openapi.json (from the zod route
 * definitions, as served at /openapi.json) and SKILL.md (the agent guide for an instance not yet
 * deployed, from the same renderer as GET /skill.md). Tests fail while either is stale.
 *
 *   pnpm --filter @airlock/server generate
 */
import { writeFileSync } from 'node:fs';
import { renderStaticSkill } from '../src/services/skill/static.js';
import { OPENAPI_SPEC_PATH, STATIC_SKILL_PATH } from '../src/test/generated-paths.js';
import { createTestContext } from '../src/test/harness.js';

const ctx = createTestContext();
const res = await ctx.app.request('/openapi.json');
writeFileSync(OPENAPI_SPEC_PATH, `${JSON.stringify(await res.json(), null, 2)}\n`);
writeFileSync(STATIC_SKILL_PATH, renderStaticSkill(ctx.deps.config));
ctx.close();
process.stdout.write(`wrote ${OPENAPI_SPEC_PATH}\nwrote ${STATIC_SKILL_PATH}\n`);
