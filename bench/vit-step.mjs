// One training step of the lab's ViT (depth 4, dim 32, 4 heads, GELU MLP of 64, batch 32 of
// 28×28 images, AdamW), timed over 200 steps after 30 of warm-up: p10, p25 and the median.
// Another checkout's code can run the same loop (its dist/ built), so that two versions are
// compared alternated on one machine — the way to see a change smaller than this VM's noise.
//   usage: node bench/vit-step.mjs [checkout]     e.g. node bench/vit-step.mjs /tmp/old
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const { Generator, tensor, randn } = await import(`${root}/packages/autograd/dist/index.js`);
const { AdamW, VisionTransformer, crossEntropy } = await import(`${root}/packages/nn/dist/index.js`);

const g = new Generator(7);
const model = new VisionTransformer({
  imageSize: 28,
  patchSize: 7,
  classes: 10,
  dim: 32,
  depth: 4,
  heads: 4,
  mlpDim: 64,
  activation: 'gelu',
  generator: g,
});
const optimizer = new AdamW(model.parameters(), { lr: 0.003, weightDecay: 0.01 });
const x = randn([32, 1, 28, 28], { generator: g });
const y = tensor(Array.from({ length: 32 }, (_, i) => i % 10));
const times = [];
for (let step = 0; step < 230; step++) {
  const t0 = performance.now();
  optimizer.zeroGrad();
  const loss = crossEntropy(model.forward(x), y);
  loss.backward();
  optimizer.step();
  loss.item();
  if (step >= 30) times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const at = (f) => times[Math.floor(f * times.length)].toFixed(2);
console.log(`${root}: ViT training step p10 ${at(0.1)} ms, p25 ${at(0.25)} ms, median ${at(0.5)} ms`);
process.exit(0); // the wasm backend's parked workers never hold the process, but say so plainly
