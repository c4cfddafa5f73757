/**
 * The playground's configuration: what network, which data, how it trains — and its round trip
 * through the page's URL (`#depth=20&skip=residual…`), so a configuration can be shared as a link.
 * Anything missing or invalid in a URL falls back to the default, so an old or edited link always opens;
 * what was wrong is said (the page shows it).
 */
export const SKIPS = ['plain', 'residual', 'highway', 'dense', 'rezero'] as const;
export const ACTIVATIONS = ['tanh', 'relu'] as const;
export const INITS = ['default', 'kaiming', 'xavier'] as const;
export const DATASETS = ['spirals', 'circles', 'xor', 'digits'] as const;
export const BACKENDS = ['wasm', 'cpu', 'gpujs'] as const;

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
  depth: 20,
  width: 16,
  skip: 'residual',
  activation: 'tanh',
  init: 'default',
  dataset: 'spirals',
  noise: 0.1,
  lr: 0.03,
  batch: 64,
  seed: 1,
  backend: 'wasm',
};

/** The limits the page's controls (and a URL) may ask for. */
export const LIMITS = {
  depth: [1, 100],
  width: [2, 64],
  noise: [0, 0.5],
  lr: [0.0001, 1],
  batch: [4, 256],
  seed: [0, 2 ** 31 - 1],
} as const;

export function toHash(c: PlaygroundConfig): string {
  return `#${Object.entries(c)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')}`;
}

export function fromHash(hash: string): PlaygroundConfig {
  return parseHash(hash).config;
}

/** The configuration a URL asks for, and a sentence for each setting in it that was refused. */
export function parseHash(hash: string): { config: PlaygroundConfig; problems: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const c: PlaygroundConfig = { ...DEFAULTS };
  const problems: string[] = [];
  const set = (key: keyof PlaygroundConfig, value: unknown): void => {
    (c as unknown as Record<string, unknown>)[key] = value;
  };
  const choices: [keyof PlaygroundConfig, readonly string[]][] = [
    ['skip', SKIPS],
    ['activation', ACTIVATIONS],
    ['init', INITS],
    ['dataset', DATASETS],
    ['backend', BACKENDS],
  ];
  for (const [key, allowed] of choices) {
    const v = params.get(key);
    if (v === null) continue;
    if (allowed.includes(v)) set(key, v);
    else problems.push(`${key}=${v}: expected one of ${allowed.join(', ')}; using ${String(DEFAULTS[key])}`);
  }
  for (const [key, [lo, hi]] of Object.entries(LIMITS) as [keyof typeof LIMITS, readonly [number, number]][]) {
    const text = params.get(key);
    if (text === null) continue;
    const v = Number(text);
    if (text.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi)
      set(key, ['depth', 'width', 'batch', 'seed'].includes(key) ? Math.round(v) : v);
    else problems.push(`${key}=${text}: expected a number from ${lo} to ${hi}; using ${DEFAULTS[key]}`);
  }
  const known = new Set(Object.keys(DEFAULTS));
  for (const key of params.keys())
    if (!known.has(key)) problems.push(`${key}: not a setting (the settings are ${[...known].join(', ')}); ignored`);
  return { config: c, problems };
}
