import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderStaticSkill } from './services/skill/static.js';
import { OPENAPI_SPEC_PATH, STATIC_SKILL_PATH } from './test/generated-paths.js';
import { createTestContext } from './test/harness.js';

const hint = 'run `pnpm --filter @airlock/server generate` and commit the result';

it(`specs/openapi.json matches the routes (${hint})`, async () => {
  const ctx = createTestContext();
  const served = (await ctx.call('GET', '/openapi.json')).json;
  ctx.close();
  expect(served).toEqual(JSON.parse(readFileSync(OPENAPI_SPEC_PATH, 'utf8')));
});

it(`SKILL.md matches the live guide's renderer (${hint})`, () => {
  const ctx = createTestContext();
  const text = renderStaticSkill(ctx.deps.config);
  ctx.close();
  expect(readFileSync(STATIC_SKILL_PATH, 'utf8')).toBe(text);
});
