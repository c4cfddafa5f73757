/**
 * Saving and loading models as .safetensors files in Node. (In a browser, use
 * serializeSafetensors / parseSafetensors with the bytes of a download or upload.)
 * node:fs is imported only when these functions run, so browser bundles never need it.
 */
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import type { Module } from './module.js';

/**
 * Writes the module's parameters and buffers to `path`.
 *
 * @example
 * const net = new Linear(2, 2);
 * await saveModel(net, `${(await import('node:os')).tmpdir()}/skipgrad-linear.safetensors`);
 */
export async function saveModel(module: Module, path: string, metadata: Record<string, string> = {}): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, serializeSafetensors(module.stateDict(), metadata));
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
  const { readFile } = await import('node:fs/promises');
  const file = parseSafetensors(new Uint8Array(await readFile(path)));
  module.loadStateDict(file.tensors);
  return file.metadata;
}
