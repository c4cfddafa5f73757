// The tests Stryker (`npm run mutate`) runs against each mutant of packages/autograd/src: the
// autograd and nn suites and the repository-level tests that exercise ops directly (855 tests; the
// dry run 2 min 14 s). Left out: the lab end to end, the browser bundle, the docs, the 10,000-step
// memory test and the fuzz suite (each covers every op and takes seconds a mutant). Even so a whole
// run is long: 4,452 mutants, ~6.5 h estimated on two cores (28% done after 1 h 36 min).
// (mergeConfig would append to the base config's include list, not replace it.)
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // One module graph for all files of a run (the suite passes either way): imports take 3 s a run
    // instead of 19 s, and a surviving mutant runs every test that covers it.
    isolate: false,
    include: [
      'packages/autograd/test/**/*.test.ts',
      'packages/nn/test/**/*.test.ts',
      'tests/backends-autograd.test.ts',
      'tests/pytorch-ops.test.ts',
      'tests/bad-input.test.ts',
      'tests/api-examples.test.ts',
      'tests/skip-connections.test.ts',
      // the exporter's tests: they read every op's ONNX form, which lives beside the op
      'packages/onnx/test/**/*.test.ts',
    ],
  },
});
