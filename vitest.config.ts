import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, never a stale dist/.
    alias: [
      { find: /^@skipgrad\/autograd\/testing$/, replacement: src('autograd/src/testing/index.ts') },
      { find: /^@skipgrad\/(tensor|kernels|autograd|nn|lab|onnx)$/, replacement: src('$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 60_000,
  },
});
