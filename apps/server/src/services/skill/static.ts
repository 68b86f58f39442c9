import type { Config } from '../../config.js';
import { renderSkill } from './render.js';

/** The repository's SKILL.md: the live guide for a default local instance, without profiles. */
export function renderStaticSkill(
  config: Pick<Config, 'maxTimeoutSeconds' | 'defaultTimeoutSeconds' | 'llmWaitLimitSeconds'>,
): string {
  return renderSkill({
    baseUrl: 'http://localhost:9090',
    listing: null,
    maxTimeoutSeconds: config.maxTimeoutSeconds,
    defaultTimeoutSeconds: config.defaultTimeoutSeconds,
    llmWaitLimitSeconds: config.llmWaitLimitSeconds,
  });
}
