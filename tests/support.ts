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

/**
 * Runs an ES-module script in a fresh Node process at the repository root, importing the
 * workspace packages from their TypeScript sources (tsx), with extra environment variables.
 */
export async function runScript(
  script: string,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
