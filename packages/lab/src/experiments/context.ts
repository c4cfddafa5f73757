import type { Tensor } from '@skipgrad/autograd';
import type { Module } from '@skipgrad/nn';
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
  /** Told of each trained model worth keeping, with an example input (for --export-onnx). */
  keep?: (name: string, model: Module, example: Tensor) => void;
}
