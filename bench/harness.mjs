// Timing harness for the benchmarks: every system is warmed up, then timed round-robin (one
// call each per round, in a new seeded order each round) so that machine noise falls on all of
// them alike. Reports median, min and max per system and ratios against a reference system.
export function summarize(times) {
  const s = [...times].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, min: s[0], max: s.at(-1), n: s.length };
}

/** A copy of `items` in an order drawn from `seed` (Fisher–Yates with a small LCG): the same every run. */
function shuffled(items, seed) {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = Math.floor((s / 4294967296) * (i + 1)); // the high bits: an LCG's low bits cycle
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export async function run(systems, { warmup = 2, reps = 9 } = {}) {
  warmup = Number(process.env.WARMUP ?? warmup);
  reps = Number(process.env.REPS ?? reps);
  const live = [];
  for (const s of systems) {
    if (s.setup) await s.setup();
    for (let i = 0; i < warmup; i++) await s.fn();
    live.push({ s, times: [] });
  }
  for (let r = 0; r < reps; r++) {
    // The first call after another engine's work runs cold (measured: ~0.1 ms more for a
    // 128×128 matmul, and several times more after an idle), so what matters is which system
    // comes *before* each one. Rotating a fixed order keeps every system's predecessor the same
    // (each one always followed the same neighbour); a new order each round does not.
    for (const l of shuffled(live, r + 1)) {
      if (l.s.before) await l.s.before();
      const t0 = performance.now();
      await l.s.fn();
      l.times.push(performance.now() - t0);
      // Untimed: e.g. onnxruntime-web's thread pool spins ~20 ms after each run; let it settle.
      if (l.s.after) await l.s.after();
    }
  }
  return live.map((l) => ({ name: l.s.name, ...summarize(l.times) }));
}

/** Prints a table; `ratioTo` names the row the others are compared with (time / its time). */
export function print(title, rows, { flop, bytes, ratioTo } = {}) {
  console.log(`\n== ${title}`);
  const ref = rows.find((r) => r.name === ratioTo);
  for (const r of rows) {
    const speed = flop ? `  ${(flop / r.median / 1e6).toFixed(2)} GFLOP/s` : bytes ? `  ${(bytes / r.median / 1e6).toFixed(1)} GB/s` : '';
    const ratio = ref ? `  ${(r.median / ref.median).toFixed(2)}x ${ref.name}'s time` : '';
    console.log(`  ${r.name.padEnd(34)} median ${r.median.toFixed(2).padStart(9)} ms  [${r.min.toFixed(2)} – ${r.max.toFixed(2)}] n=${r.n}${speed}${ratio}`);
  }
  console.log('JSON ' + JSON.stringify({ title, flop, bytes, rows }));
}
