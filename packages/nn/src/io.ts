/**
 * Saving and loading models as .safetensors files in Node. (In a browser, use
 * serializeSafetensors / parseSafetensors with the bytes of a download or upload.)
 * node:fs is imported only when these functions run, so browser bundles never need it.
 */
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import type { Module } from './module.js';

/** Writes the module's parameters and buffers to `path`. */
export async function saveModel(module: Module, path: string, metadata: Record<string, string> = {}): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, serializeSafetensors(module.stateDict(), metadata));
}

/** Reads `path` and loads it into the module (all-or-nothing: see Module.loadStateDict). */
export async function loadModel(module: Module, path: string): Promise<Record<string, string>> {
  const { readFile } = await import('node:fs/promises');
  const file = parseSafetensors(new Uint8Array(await readFile(path)));
  module.loadStateDict(file.tensors);
  return file.metadata;
}
