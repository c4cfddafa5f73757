/**
 * @skipgrad/lab — the skip-connection lab as a library: run the experiments from code, get the
 * same results object the CLI writes as results.json, render the same report.
 *
 * @example
 * import { parseLabArgs, runLab, renderReport } from '@skipgrad/lab';
 * const results = runLab(parseLabArgs(['gradient-flow', '--tiny', '--no-progress']));
 */
export { parseLabArgs, HELP, LabUsageError, type LabArgs } from './args.js';
export { runLab, settingsFor, SCHEMA, type LabResults, type RunOptions } from './run.js';
export { presetSettings, EXPERIMENTS, type ExperimentName, type LabSettings, type Preset } from './settings.js';
export { loadDigits, split, halve, permutation, mnistDirectory, type Digits } from './data/digits.js';
export { generateShapes, type Segmentation } from './data/shapes.js';
export { Progress, type ProgressStream, type ProgressOptions } from './progress.js';
export { renderReport } from './report/html.js';
export { toJson } from './report/json.js';
export { lineChart, greyImage, niceTicks } from './report/svg.js';
export { summary } from './summary.js';
export { useBackend } from './use-backend.js';
