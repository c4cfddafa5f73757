/**
 * Saving and loading models as .safetensors files in Node. (In a browser, use
 * serializeSafetensors / parseSafetensors with the bytes of a download or upload.)
 * The file system is reached through files.ts, which a browser bundle swaps for files.browser.ts
 * (the package.json "browser" field): there, saveModel and loadModel say to use the bytes instead.
 */
import { SkipgradError, checkString, describe } from '@skipgrad/tensor';
import { readBytes, writeBytes } from './files.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { Module } from './module.js';

function checkModule(op: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new SkipgradError(op, 'module', 'a Module', describe(m));
  return m;
}

/**
 * Writes the module's parameters and buffers to `path`.
 *
 * @example
 * const net = new Linear(2, 2);
 * await saveModel(net, `${(await import('node:os')).tmpdir()}/skipgrad-linear.safetensors`);
 */
export async function saveModel(module: Module, path: string, metadata: Record<string, string> = {}): Promise<void> {
  checkModule('saveModel', module);
  checkString('saveModel', 'path', path, 'a file path');
  const bytes = serializeSafetensors(module.stateDict(), metadata);
  try {
    await writeBytes('saveModel', path, bytes);
  } catch (e) {
    if (e instanceof SkipgradError) throw e;
    throw new SkipgradError(
      'saveModel',
      'path',
      'a file path that can be written',
      `'${path}'`,
      (e as { code?: string }).code ?? (e as Error).message,
    );
  }
}

/**
 * Reads `path` and loads it into the module (all-or-nothing: see Module.loadStateDict).
 *
 * @example
 * const path = `${(await import('node:os')).tmpdir()}/skipgrad-linear-2.safetensors`;
 * await saveModel(new Linear(2, 2), path);
 * await loadModel(new Linear(2, 2), path); // {}
 */
export async function loadModel(module: Module, path: string): Promise<Record<string, string>> {
  checkModule('loadModel', module);
  checkString('loadModel', 'path', path, 'a file path');
  let bytes: Uint8Array;
  try {
    bytes = await readBytes('loadModel', path);
  } catch (e) {
    if (e instanceof SkipgradError) throw e;
    throw new SkipgradError(
      'loadModel',
      'path',
      'a readable safetensors file',
      `'${path}'`,
      (e as { code?: string }).code ?? (e as Error).message,
    );
  }
  let file: ReturnType<typeof parseSafetensors>;
  try {
    file = parseSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof SkipgradError)) throw e;
    throw new SkipgradError('loadModel', 'path', 'a well-formed safetensors file', `'${path}'`, e.message);
  }
  module.loadStateDict(file.tensors);
  return file.metadata;
}
