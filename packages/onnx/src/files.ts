/** Writing a file, in Node (files.browser.ts in a browser bundle: no file system there). */
export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, bytes);
}
