// The API reference's examples are code: every public function of @skipgrad/autograd,
// @skipgrad/nn and @skipgrad/onnx carries an @example in its JSDoc, and each example runs here. A line written
// `expression; // value` where the value is JSON is also checked: the expression must equal it.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as autograd from '@skipgrad/autograd';
import * as nn from '@skipgrad/nn';
import * as onnx from '@skipgrad/onnx';

const root = fileURLToPath(new URL('..', import.meta.url));
const runDir = join(root, 'docs', '.run', 'api');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

/** Public functions still waiting for an example (the list may only shrink). */
const PENDING: Record<string, readonly string[]> = {
  autograd: [],
  nn: [],
  onnx: [],
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });

/** The @example code of the JSDoc right above `export function name`, or null. */
function exampleOf(files: string[], name: string): string | null | undefined {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const m = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\s*\\nexport (async )?function ${name}[<(]`).exec(text);
    if (m) {
      const doc = m[1]!;
      const at = doc.indexOf('@example');
      if (at < 0) return null;
      return doc
        .slice(at + '@example'.length)
        .split('\n')
        .slice(1)
        .map((l) => l.replace(/^\s*\*\/?\s?/, ''))
        .filter((l) => !l.startsWith('/'))
        .join('\n')
        .replace(/\s*\*?\/?\s*$/, '')
        .trim();
    }
    if (new RegExp(`\\nexport (async )?function ${name}[<(]`).test(text)) return null;
  }
  return undefined; // not declared in this package (a re-export)
}

const isClass = (v: unknown): boolean =>
  typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
const packages = { autograd, nn, onnx } as const;
const prelude = [
  "import * as __ag from '@skipgrad/autograd';",
  "import * as __nn from '@skipgrad/nn';",
  "import * as __kernels from '@skipgrad/kernels';",
  "import * as __onnx from '@skipgrad/onnx';",
  "import { expect as __expect } from 'vitest';",
  `const { ${[...new Set([...Object.keys(autograd), ...Object.keys(nn), ...Object.keys(onnx), 'cpuBackend'])].join(', ')} } = { ...__kernels, ...__ag, ...__nn, ...__onnx } as any;`,
  'type Tensor = __ag.Tensor;',
  'const x = tensor([[0.5, -1.5], [2, 0.25]], { requiresGrad: true });',
  'const w = tensor([[1, 0], [0.5, 2]], { requiresGrad: true });',
  'const b = tensor([0.1, -0.1], { requiresGrad: true });',
  'const y = x.mul(w).sum();',
  'const __check = (got: unknown, want: unknown) => __expect(JSON.parse(JSON.stringify(got))).toEqual(want);',
].join('\n');

/** Turns `expr; // [1, 2]` lines into checks; leaves other lines alone. */
function withChecks(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      const m = /^(.+?);\s*\/\/\s*(.+)$/.exec(line);
      if (!m || /^(const|let|await |import)/.test(m[1]!.trim())) return line;
      try {
        const want: unknown = JSON.parse(m[2]!.replace(/'/g, '"'));
        return `__check(${m[1]}, ${JSON.stringify(want)});`;
      } catch {
        return line;
      }
    })
    .join('\n');
}

for (const [pkg, exports] of Object.entries(packages)) {
  const files = sourceFiles(join(root, 'packages', pkg, 'src'));
  const functions = Object.entries(exports)
    .filter(([, v]) => typeof v === 'function' && !isClass(v))
    .map(([k]) => k)
    .sort();
  const examples = functions.map((name) => [name, exampleOf(files, name)] as const).filter(([, e]) => e !== undefined);

  describe(`@skipgrad/${pkg} API examples`, () => {
    it('every public function has an @example (or is listed as pending)', () => {
      const missing = examples.filter(([, e]) => e === null).map(([n]) => n);
      expect(missing).toEqual([...PENDING[pkg]!].sort());
    });
    it.each(examples.filter(([, e]) => e).map(([n, e]) => [n, e!] as const))('%s', async (name, code) => {
      const path = join(runDir, `${pkg}_${name}.ts`);
      writeFileSync(path, `${prelude}\n{\n${withChecks(code)}\n}\n`); // a block: examples may declare their own x, y
      await import(path);
    });
  });
}
