/**
 * Writing gpu.js kernels as source text. Every kernel here computes one output element per
 * thread: `this.thread.x` is the element's flat (row-major) index in the output. The shapes,
 * strides and offsets of its inputs are known when the kernel is compiled, so they are written
 * into the source as numbers — the compiled shader does plain arithmetic, and a kernel is
 * compiled once per (op, shapes, strides) and cached (runner.ts).
 *
 * Index arithmetic runs in float32 on WebGL, where x / 20 for x = 60 may come out 2.9999998:
 * every division rounds `(x + 0.5) / side` down, which is exact for indices below 2²².
 */

/** Lines that split the flat index `flat` into coordinates c0, c1, … of `shape` (prefixed by `name`). */
export function unravel(shape: readonly number[], flat: string, name = 'c'): { code: string; coords: string[] } {
  const coords = shape.map((_, d) => `${name}${d}`);
  if (shape.length === 0) return { code: '', coords };
  const lines = [`let ${name}r = ${flat};`];
  let block = shape.reduce((p, s) => p * s, 1);
  shape.forEach((side, d) => {
    block /= side;
    if (d === shape.length - 1) lines.push(`const ${coords[d]} = ${name}r;`);
    else {
      lines.push(
        `const ${coords[d]} = Math.floor((${name}r + 0.5) / ${block});`,
        `${name}r = ${name}r - ${coords[d]} * ${block};`,
      );
    }
  });
  return { code: lines.join('\n'), coords };
}

/** `offset + c0·strides[0] + …` as an expression (terms with stride 0 or side 1 left out). */
export function offsetOf(coords: readonly string[], strides: readonly number[], offset: number): string {
  const terms = coords.flatMap((c, d) => (strides[d] === 0 ? [] : [strides[d] === 1 ? c : `${c} * ${strides[d]}`]));
  return [String(offset), ...terms].join(' + ');
}

/** A kernel's source: `function(args) { body }`. */
export function kernelSource(args: readonly string[], body: string): string {
  return `function(${args.join(', ')}) {\n${body}\n}`;
}
