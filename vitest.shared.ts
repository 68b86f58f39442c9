import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Test config shared by every workspace package: resolve sibling packages to their TypeScript
 * sources (the `@airlock/source` export condition) so tests never need a prior build.
 */
export function workspaceTestConfig(extra: ViteUserConfig = {}): ViteUserConfig {
  return defineConfig({
    ...extra,
    resolve: { conditions: ['@airlock/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@airlock/source', ...defaultServerConditions] } },
    test: {
      environment: 'node',
      // A hang guard, not a speed target: CI runs every package's suite at once on 2 shared
      // cores, where CPU-heavy property tests can take many times their quiet-machine time.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      ...extra.test,
    },
  });
}
