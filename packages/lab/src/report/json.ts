/** results.json: the results as indented JSON; numbers that are not finite become null. */
import type { LabResults } from '../run.js';

export function toJson(results: LabResults): string {
  return `${JSON.stringify(results, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`;
}
