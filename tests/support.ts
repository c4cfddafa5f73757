/** Shared by the tests: case counts that scale with `npm run test:props`. */
export const PROPS_SCALE = Number(process.env.SKIPGRAD_PROPS_SCALE ?? 1);

/** `n` cases in CI, 20·n under test:props. */
export function runs(n: number): { numRuns: number } {
  return { numRuns: Math.max(1, Math.round(n * PROPS_SCALE)) };
}
