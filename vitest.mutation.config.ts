// The tests Stryker (`npm run mutate`) runs against each mutant of packages/autograd/src: the
// autograd and nn suites, the ONNX exporter's (they read each op's ONNX form) and the
// repository-level tests that exercise ops directly (1,256 tests; the dry run 36 s). Left out:
// the lab end to end, the browser bundle, the docs, the 10,000-step memory test and the fuzz
// suite (it calls the API in a child process, where no mutant is active). A whole run is still
// long: 4,452 mutants, ~20–35 a minute on two cores, most of it in the mutants that survive (each
// runs every test that covers it). Split it with --mutate and --incremental across sessions.
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
    // The plain-JS reference backend: Stryker already runs two test processes on two cores, and the
    // wasm backend's worker threads would make four. (CI runs the whole suite on both backends.)
    env: { ...base.test?.env, SKIPGRAD_BACKEND: 'cpu' },
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
