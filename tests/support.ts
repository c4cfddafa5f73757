/** Shared by the tests: case counts that scale with `npm run test:props`. */
export const PROPS_SCALE = Number(process.env.SKIPGRAD_PROPS_SCALE ?? 1);

/** `n` cases in CI, 20·n under test:props. */
export function runs(n: number): { numRuns: number } {
  return { numRuns: Math.max(1, Math.round(n * PROPS_SCALE)) };
}

/**
 * gradcheck settings for linear ops (add, concat, reshape, slice, pad, …): finite differences
 * are exact for them whatever the step, so eps = 1; what remains is rounding in the scalarised
 * L = ⟨g, f(x)⟩, a few ulps of |L| — hence a tolerance of 1e-12 rather than zero.
 */
export const EXACT = { eps: 1, atol: 1e-12, rtol: 1e-12 } as const;
