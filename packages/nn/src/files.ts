/** Reading and writing bytes, in Node (files.browser.ts in a browser bundle: no file system there). */
export async function readBytes(_op: string, path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(path));
}

export async function writeBytes(_op: string, path: string, bytes: Uint8Array): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, bytes);
}
