// Property tests are deterministic in CI: one fixed seed, a fixed number of cases.
// `npm run test:props` (scripts/props.mjs) sets SKIPGRAD_SEED to a random seed, printed, and
// SKIPGRAD_PROPS_SCALE to 20 for twenty times the cases. A failure prints fast-check's seed and
// path; rerun with SKIPGRAD_SEED=<seed> to replay it.
import fc from 'fast-check';

const seed = Number(process.env.SKIPGRAD_SEED ?? 20261123);
fc.configureGlobal({ seed, includeErrorInReport: true, numRuns: 100 * Number(process.env.SKIPGRAD_PROPS_SCALE ?? 1) });

// The suite runs on the default backend (wasm). SKIPGRAD_BACKEND=cpu runs it all on the plain-JS
// reference instead (@skipgrad/autograd reads the variable at the first op); CI runs both.
