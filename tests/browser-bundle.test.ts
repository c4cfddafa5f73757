// The packages in a browser: each one bundles with esbuild, Vite and webpack 5 for the browser with
// no configuration, and the bundle holds no Node built-in (node:fs, worker_threads, …). Node-only
// files are swapped for browser ones by each package.json's "browser" field, which esbuild,
// webpack 5 and Vite all read. (@skipgrad/lab is a command-line tool: Node only.)
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
interface ViteOutput {
  output: {
    type: string;
    imports?: string[];
    dynamicImports?: string[];
    modules?: Record<string, unknown>;
    code?: string;
  }[];
}

/** Node's built-in modules (by name and with the node: prefix). */
const NODE_BUILTINS =
  /^(node:.*|fs|fs\/promises|os|path|worker_threads|child_process|url|module|crypto|util|stream|buffer|events)$/;

describe('browser bundles', () => {
  it.each(['tensor', 'kernels', 'autograd', 'nn', 'onnx'])(
    '@skipgrad/%s bundles for the browser with no Node built-in in it',
    async (pkg) => {
      const result = await build({
        stdin: { contents: `export * from '@skipgrad/${pkg}';`, resolveDir: root, loader: 'js' },
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
        target: 'es2022',
        // The workspace's own packages are resolved from their dist/ (what an installed package ships).
        conditions: ['browser', 'import'],
        metafile: true,
      });
      // Every import the bundle makes (esbuild fails on one it cannot resolve; a Node built-in would
      // stay as an external import): none may be Node's.
      const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
      expect(imports.filter((path) => NODE_BUILTINS.test(path))).toEqual([]);
      expect(Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
      expect(result.outputFiles[0]!.text.length).toBeGreaterThan(1000);
    },
    60_000,
  );

  it.each(['kernels', 'autograd', 'nn', 'onnx'])(
    '@skipgrad/%s bundles with Vite (a library build, no configuration file) with no Node built-in imported',
    async (pkg) => {
      // Vite resolves bare imports from the entry's folder: the entry lives in the repository (docs/.run is git-ignored).
      const dir = join(root, 'docs', '.run', `vite-${pkg}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'entry.js'), `export * from '@skipgrad/${pkg}';\n`);
      // Vite does not fail on a Node built-in: it swaps in an empty "__vite-browser-external" module
      // (with a warning) — which would break at run time. So every import of one is recorded, with
      // the file that made it. One is allowed: protobufjs (under @skipgrad/onnx) tries require("fs")
      // in a try/catch and goes on without it in a browser (its src/util/fs.js).
      const builtins: string[] = [];
      const watch = {
        name: 'watch-builtins',
        enforce: 'pre' as const,
        resolveId(source: string, importer?: string) {
          if (NODE_BUILTINS.test(source) && !/protobufjs[\\/]src[\\/]util[\\/]fs\.js$/.test(importer ?? ''))
            builtins.push(`${source} from ${importer}`);
          return null;
        },
      };
      const result = (await viteBuild({
        root,
        configFile: false,
        logLevel: 'silent',
        plugins: [watch],
        build: {
          lib: { entry: join(dir, 'entry.js'), formats: ['es'], fileName: 'bundle' },
          outDir: join(dir, 'out'),
          write: false,
          minify: false,
        },
      })) as ViteOutput[] | ViteOutput;
      const chunks = (Array.isArray(result) ? result : [result])
        .flatMap((r) => r.output)
        .filter((o) => o.type === 'chunk');
      expect(builtins).toEqual([]);
      const imports = chunks.flatMap((c) => [
        ...(c.imports ?? []),
        ...(c.dynamicImports ?? []),
        ...Object.keys(c.modules ?? {}),
      ]);
      expect(
        imports.filter((path) => NODE_BUILTINS.test(path) || (pkg !== 'onnx' && /__vite-browser-external/.test(path))),
      ).toEqual([]);
      expect(chunks.reduce((n, c) => n + (c.code?.length ?? 0), 0)).toBeGreaterThan(1000);
    },
    60_000,
  );

  it.each(['kernels', 'autograd', 'nn', 'onnx'])(
    '@skipgrad/%s bundles with webpack 5 (its defaults: target web, production) with no error, warning or Node built-in',
    async (pkg) => {
      // webpack 5 fails on a Node built-in ("Can't resolve 'fs'", or an unhandled node: scheme):
      // it no longer stands anything in for them. So a clean build is the check, and the modules it
      // bundled are listed to be sure.
      const dir = join(root, 'docs', '.run', `webpack-${pkg}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'entry.js'), `export * from '@skipgrad/${pkg}';\n`);
      const stats = await new Promise<webpack.Stats>((resolve, reject) => {
        webpack(
          { mode: 'production', context: dir, entry: './entry.js', output: { path: join(dir, 'out') } },
          (error, result) => (error ? reject(error) : resolve(result!)),
        );
      });
      const json = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true });
      expect(json.errors!.map((e) => e.message)).toEqual([]);
      expect(
        json
          .warnings!.map((w) => w.message)
          .filter((m) => !/asset size limit|entrypoint size limit|performance/i.test(m)),
      ).toEqual([]);
      const modules = json.modules!.flatMap((m) => [
        m.name ?? '',
        ...(m.modules ?? []).map((inner) => inner.name ?? ''),
      ]);
      expect(modules.some((name) => name.includes(`${pkg}/dist/index.js`))).toBe(true);
      expect(modules.filter((name) => /^(node:|external )/.test(name) || NODE_BUILTINS.test(name))).toEqual([]);
    },
    120_000,
  );

  it('the browser bundle of @skipgrad/nn trains a step on the wasm backend (one thread) and says where files are not', async () => {
    const entry = `
      import { Generator, tensor, getBackend } from '@skipgrad/autograd';
      import { Linear, SGD, mseLoss, saveModel } from '@skipgrad/nn';
      const net = new Linear(2, 1, { generator: new Generator(1) });
      const opt = new SGD(net.parameters(), { lr: 0.01 });
      const x = tensor([[1, 2], [3, 4]]);
      const y = tensor([[1], [2]]);
      const before = mseLoss(net.forward(x), y).item();
      mseLoss(net.forward(x), y).backward();
      opt.step();
      const after = mseLoss(net.forward(x), y).item();
      let saveError = '';
      try { await saveModel(net, 'm.safetensors'); } catch (e) { saveError = e.message; }
      export const result = { backend: getBackend().name, mode: getBackend().mode, before, after, saveError };`;
    const bundled = await build({
      stdin: { contents: entry, resolveDir: root, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      target: 'es2022',
      conditions: ['browser', 'import'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-bundle-'));
    try {
      const file = join(dir, 'bundle.mjs');
      writeFileSync(file, bundled.outputFiles[0]!.text);
      const { result } = (await import(pathToFileURL(file).href)) as {
        result: { backend: string; mode: string; before: number; after: number; saveError: string };
      };
      expect(result.backend).toBe(process.env.SKIPGRAD_BACKEND === 'cpu' ? 'cpu' : 'wasm');
      if (result.backend === 'wasm') expect(result.mode).toBe('128-bit SIMD, 1 thread');
      expect(result.after).toBeLessThan(result.before);
      expect(result.saveError).toMatch(
        /saveModel: argument 'path' expected a file system \(Node\); in a browser, use serializeSafetensors/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
