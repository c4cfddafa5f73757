/**
 * What a gradient check found, and how it prints. A failure names the function and input,
 * the worst element (multi-index, flat index, value), the analytical and numerical
 * derivatives there, both differences, the tolerances, f(x ± eps), how many elements failed
 * and the worst few — and the whole table when the input has at most 16 elements.
 */
import { SkipgradError, describe, formatShape } from '@skipgrad/tensor';

export interface ElementCheck {
  /** Multi-index of the element in the input. */
  index: number[];
  flat: number;
  x: number;
  analytical: number;
  numerical: number;
  absDiff: number;
  relDiff: number;
  /** L(x + eps) and L(x − eps) for this element (slow mode). */
  fPlus: number;
  fMinus: number;
  ok: boolean;
}

export interface InputCheck {
  /** Position of the input among fn's arguments. */
  input: number;
  shape: number[];
  ok: boolean;
  mismatches: number;
  /** Elements compared (slow mode), or 1 directional derivative (fast mode). */
  compared: number;
  worst: ElementCheck | null;
  /** The few worst failing elements, worst first. */
  worstFew: ElementCheck[];
  /** Every element, when there are at most 16. */
  table: ElementCheck[] | null;
}

export interface GradcheckReport {
  ok: boolean;
  name: string;
  mode: 'slow' | 'fast';
  eps: number;
  atol: number;
  rtol: number;
  inputs: InputCheck[];
  /** A problem found before comparing values (e.g. a nondeterministic backward), or null. */
  problem: string | null;
  toString(): string;
}

export class GradcheckError extends Error {
  readonly report: GradcheckReport;
  constructor(report: GradcheckReport) {
    if (
      report === null ||
      typeof report !== 'object' ||
      typeof report.toString !== 'function' ||
      !('inputs' in report)
    ) {
      throw new SkipgradError(
        'GradcheckError',
        'report',
        'a GradcheckReport (what gradcheck returns)',
        describe(report),
      );
    }
    super(report.toString());
    this.name = 'GradcheckError';
    this.report = report;
  }
}

/** A number as the reports print it: 8 significant digits, exponential outside [1e-3, 1e5) (0 as 0.0000000). */
export const formatNumber = (v: number): string =>
  Number.isFinite(v)
    ? (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5) || v === 0
      ? v.toPrecision(8)
      : v.toExponential(6)
    : String(v);
const idx = (e: ElementCheck): string => `${formatShape(e.index)} (flat ${e.flat})`;

export function formatReport(r: GradcheckReport): string {
  const lines: string[] = [];
  const failing = r.inputs.filter((i) => !i.ok);
  const head = r.ok ? 'passed' : 'FAILED';
  lines.push(
    `gradcheck '${r.name}' ${head} (${r.mode} mode; eps ${r.eps}, atol ${r.atol}, rtol ${r.rtol}; pass when |a − n| <= atol + rtol·|n|)`,
  );
  if (r.problem) lines.push(`  ${r.problem}`);
  for (const input of r.inputs) {
    const status = input.ok
      ? 'ok'
      : `${input.mismatches} of ${input.compared} ${r.mode === 'fast' ? 'directional derivatives' : 'elements'} mismatch`;
    lines.push(`  input ${input.input}, shape ${formatShape(input.shape)}: ${status}`);
    const w = input.worst;
    if (w && (!input.ok || failing.length === 0)) {
      lines.push(`    ${input.ok ? 'largest difference' : 'worst'} at index ${idx(w)}: x = ${formatNumber(w.x)}`);
      lines.push(
        `      analytical ${formatNumber(w.analytical)}   numerical ${formatNumber(w.numerical)}   |a − n| ${formatNumber(w.absDiff)}   relative ${formatNumber(w.relDiff)}`,
      );
      if (r.mode === 'slow')
        lines.push(`      f(x + eps) = ${formatNumber(w.fPlus)}   f(x − eps) = ${formatNumber(w.fMinus)}`);
    }
    if (!input.ok && input.worstFew.length > 1) {
      lines.push(
        `    worst ${input.worstFew.length}: ` +
          input.worstFew
            .map((e) => `${formatShape(e.index)} a=${formatNumber(e.analytical)} n=${formatNumber(e.numerical)}`)
            .join('; '),
      );
    }
    if (!input.ok && input.table) {
      lines.push('    index            x                analytical       numerical        |a − n|');
      for (const e of input.table) {
        lines.push(
          `    ${formatShape(e.index).padEnd(16)} ${formatNumber(e.x).padEnd(16)} ${formatNumber(e.analytical).padEnd(16)} ${formatNumber(e.numerical).padEnd(16)} ${formatNumber(e.absDiff)}${e.ok ? '' : '  <- mismatch'}`,
        );
      }
    }
  }
  return lines.join('\n');
}
