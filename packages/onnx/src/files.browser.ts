/** files.ts for browsers (the package.json "browser" field): there is no file system to write to. */
import { SkipgradError } from '@skipgrad/tensor';

export async function writeBytes(path: string): Promise<void> {
  throw new SkipgradError(
    'saveOnnx',
    'path',
    'a file system (Node); in a browser, use exportOnnx and save or send the bytes',
    JSON.stringify(path),
  );
}
