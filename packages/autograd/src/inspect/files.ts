/** Writing a text file, in Node (files.browser.ts in a browser bundle: no file system there). */
export async function writeText(_op: string, path: string, text: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, text);
}
