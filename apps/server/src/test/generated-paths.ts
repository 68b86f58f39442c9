import { fileURLToPath } from 'node:url';

/** The committed OpenAPI document at the repository root. */
export const OPENAPI_SPEC_PATH = fileURLToPath(
  new URL('../../../../specs/openapi.json', import.meta.url),
);

/** The committed static agent guide at the repository root. */
export const STATIC_SKILL_PATH = fileURLToPath(new URL('../../../../SKILL.md', import.meta.url));
