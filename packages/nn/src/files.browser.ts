/**
 * files.ts for browsers (the package.json "browser" field): there is no file system, so saveModel
 * and loadModel say what to use instead.
 */
import { SkipgradError } from '@skipgrad/tensor';

const HINT =
  'a file system (Node); in a browser, use serializeSafetensors / parseSafetensors with the bytes of a download or upload';

export async function readBytes(op: string, path: string): Promise<Uint8Array> {
  throw new SkipgradError(op, 'path', HINT, `'${path}'`);
}

export async function writeBytes(op: string, path: string, _bytes: Uint8Array): Promise<void> {
  throw new SkipgradError(op, 'path', HINT, `'${path}'`);
}
