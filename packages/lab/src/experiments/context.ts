import type { Digits } from '../data/digits.js';
import type { ProgressOptions } from '../progress.js';
import type { LabSettings } from '../settings.js';

/** What the CLI hands every experiment. */
export interface LabContext {
  seed: number;
  settings: LabSettings;
  /** Lazily loaded and split once per run (long-skips needs no digits). */
  digits: () => { train: Digits; test: Digits };
  progress: ProgressOptions;
}
