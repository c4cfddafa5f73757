/**
 * The playground's configuration: what network, which data, how it trains — and its round trip
 * through the page's URL (`#depth=20&skip=residual…`), so a configuration can be shared as a link.
 * Anything missing or invalid in a URL falls back to the default, so an old or edited link always opens.
 */
export const SKIPS = ['plain', 'residual', 'highway', 'dense', 'rezero'] as const;
export const ACTIVATIONS = ['tanh', 'relu'] as const;
export const INITS = ['default', 'kaiming', 'xavier'] as const;
export const DATASETS = ['spirals', 'circles', 'xor', 'digits'] as const;
export const BACKENDS = ['wasm', 'cpu'] as const;

export interface PlaygroundConfig {
  depth: number;
  width: number;
  skip: (typeof SKIPS)[number];
  activation: (typeof ACTIVATIONS)[number];
  init: (typeof INITS)[number];
  dataset: (typeof DATASETS)[number];
  noise: number;
  lr: number;
  batch: number;
  seed: number;
  backend: (typeof BACKENDS)[number];
}

export const DEFAULTS: PlaygroundConfig = {
  depth: 20, width: 16, skip: 'residual', activation: 'tanh', init: 'default', dataset: 'spirals', noise: 0.1, lr: 0.03, batch: 64, seed: 1, backend: 'wasm',
};

/** The limits the page's controls (and a URL) may ask for. */
export const LIMITS = { depth: [1, 100], width: [2, 64], noise: [0, 0.5], lr: [0.0001, 1], batch: [4, 256], seed: [0, 2 ** 31 - 1] } as const;

export function toHash(c: PlaygroundConfig): string {
  return `#${Object.entries(c).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`;
}

export function fromHash(hash: string): PlaygroundConfig {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const c: PlaygroundConfig = { ...DEFAULTS };
  const pick = <K extends keyof PlaygroundConfig>(key: K, allowed: readonly string[]): void => {
    const v = params.get(key);
    if (v !== null && allowed.includes(v)) (c as unknown as Record<string, unknown>)[key] = v;
  };
  pick('skip', SKIPS);
  pick('activation', ACTIVATIONS);
  pick('init', INITS);
  pick('dataset', DATASETS);
  pick('backend', BACKENDS);
  for (const [key, [lo, hi]] of Object.entries(LIMITS) as [keyof typeof LIMITS, readonly [number, number]][]) {
    const v = Number(params.get(key));
    if (params.has(key) && Number.isFinite(v) && v >= lo && v <= hi) (c as unknown as Record<string, unknown>)[key] = ['depth', 'width', 'batch', 'seed'].includes(key) ? Math.round(v) : v;
  }
  return c;
}
