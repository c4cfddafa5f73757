/** files.ts for browsers (the package.json "browser" field): there is no file system to write to. */
import { SkipgradError } from '@skipgrad/tensor';

export async function writeText(op: string, path: string, _text: string): Promise<void> {
  throw new SkipgradError(
    op,
    'path',
    'a file system (Node); in a browser, use renderSvg and save the string yourself',
    `'${path}'`,
  );
}
