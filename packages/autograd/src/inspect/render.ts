/**
 * Rendering a graph to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no system
 * install, the same in Node and in browsers. Loaded only when first called.
 *
 * @example
 * const svg = await renderSvg(y);           // a string: <svg …>…</svg>
 * await writeSvg(y, 'docs/residual.svg');   // Node: write it to a file
 */
import type { Tensor } from '../tensor.js';
import { checkString } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { type GraphOptions, dotOf } from './export.js';
import { writeText } from './files.js';

type Viz = { renderString(dot: string, options: { format: 'svg' }): string };
let viz: Promise<Viz> | null = null;

/**
 * The graph behind `output` (or a DOT string) as an SVG document.
 *
 * @example
 * (await renderSvg(x.add(x.tanh()))).includes('<svg'); // true
 */
export async function renderSvg(output: Tensor | string, options: GraphOptions = {}): Promise<string> {
  return svgOf('renderSvg', output, options);
}

async function svgOf(op: string, output: Tensor | string, options: GraphOptions): Promise<string> {
  const dot = typeof output === 'string' ? output : dotOf(checkTensor(op, 'output', output), options, op);
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return (await viz).renderString(dot, { format: 'svg' });
}

/**
 * Renders the graph behind `output` and writes the SVG to `path` (Node).
 *
 * @example
 * await writeSvg(x.add(x.tanh()), `${(await import('node:os')).tmpdir()}/skipgrad-example.svg`);
 */
export async function writeSvg(output: Tensor | string, path: string, options: GraphOptions = {}): Promise<void> {
  checkString('writeSvg', 'path', path, 'a file path');
  const svg = await svgOf('writeSvg', output, options);
  await writeText('writeSvg', path, svg);
}
