#!/usr/bin/env node
/**
 * skipgrad-lab: runs the skip-connection experiments, prints a summary, and writes
 * results.json and a self-contained report.html. `skipgrad-lab --help` for the options.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tensor } from '@skipgrad/autograd';
import type { Module } from '@skipgrad/nn';
import { exportOnnx } from '@skipgrad/onnx';
import { SkipgradError } from '@skipgrad/tensor';
import { HELP, LabUsageError, parseLabArgs } from './args.js';
import { useBackend } from './use-backend.js';
import { renderReport } from './report/html.js';
import { toJson } from './report/json.js';
import { runLab } from './run.js';
import { summary } from './summary.js';

const VERSION = '0.1.0';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseLabArgs(argv);
  } catch (e) {
    if (e instanceof LabUsageError) {
      process.stderr.write(`skipgrad-lab: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  await useBackend(args.backend, args.mode, undefined, args.threads);
  const dir = resolve(args.out);
  // Check the output folder before minutes of training, not after.
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new LabUsageError(
      `--out: expected a folder that can be created and written, got '${args.out}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  // --export-onnx: each trained model that is kept, exported with a dynamic batch as it finishes.
  const exported: string[] = [];
  const keep = args.exportOnnx
    ? (name: string, model: Module, example: Tensor): void => {
        const path = resolve(dir, `${name}.onnx`);
        writeFileSync(
          path,
          exportOnnx(model, example, {
            dynamicBatch: true,
            inputNames: ['images'],
            outputNames: ['logits'],
            docString: `skipgrad lab: ${name}`,
          }),
        );
        exported.push(path);
      }
    : undefined;
  const results = runLab(args, { keep });
  writeFileSync(resolve(dir, 'results.json'), toJson(results));
  const report = resolve(dir, 'report.html');
  writeFileSync(report, renderReport(results));
  if (!args.quiet) process.stdout.write(`\n${summary(results)}\n\nresults: ${resolve(dir, 'results.json')}\n`);
  process.stdout.write(`report:  ${report}\n`);
  for (const path of exported) process.stdout.write(`onnx:    ${path}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof SkipgradError || e instanceof LabUsageError) {
      process.stderr.write(`skipgrad-lab: ${(e as Error).message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  },
);
