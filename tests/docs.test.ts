// Every ```ts block in docs/*.md runs here, so the documentation cannot rot: each block is
// written to docs/.run/ (git-ignored) and imported; its own asserts check its claims.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('../docs', import.meta.url));
const runDir = join(docs, '.run');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

const blocks = readdirSync(docs)
  .filter((f) => f.endsWith('.md'))
  .flatMap((file) =>
    [...readFileSync(join(docs, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({
      file,
      index: i + 1,
      code: m[1]!,
    })),
  );

describe('docs code blocks', () => {
  it('there are blocks to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });
  it.each(blocks.map((b) => [`${b.file} block ${b.index}`, b] as const))('%s', async (_name, block) => {
    const path = join(runDir, `${block.file.replace(/\W/g, '_')}_${block.index}.ts`);
    writeFileSync(path, block.code);
    await import(path);
  });
});
