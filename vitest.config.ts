import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export condition,
// so tests never need a build first.
const conditions = ['source', 'node', 'import', 'default'];

const project = (name: string, include: string[]) => ({
  extends: true as const,
  test: { name, include },
});

export default defineConfig({
  resolve: { conditions },
  // Node itself only gets 'source' and 'node': adding 'import' would make pg's require() load ESM builds.
  ssr: { resolve: { conditions: ['source', 'node'], externalConditions: ['source', 'node'] } },
  test: {
    // Retries would hide races in an exactly-once system: every test must pass first time.
    retry: 0,
    // CI reads the JSON report to print a plain "N passed, N failed" closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      project('core', ['packages/core/test/**/*.test.ts']),
      project('testkit', ['packages/testkit/test/**/*.test.ts']),
      project('postgres', ['packages/postgres/test/**/*.test.ts']),
      project('mysql', ['packages/mysql/test/**/*.test.ts']),
    ],
  },
});
