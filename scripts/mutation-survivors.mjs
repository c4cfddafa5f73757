// Reads Stryker's per-mutant events (reports/mutation/events, written as each mutant finishes, so
// this works during a run as well as after it) and prints the score so far, per file, and every
// mutant that survived or that no test covers, with its source line — what to write a test for.
//
//   node scripts/mutation-survivors.mjs            every file
//   node scripts/mutation-survivors.mjs ops/conv   only files whose path contains this
import fs from 'node:fs';

const dir = process.env.STRYKER_EVENTS ?? 'reports/mutation/events';
const filter = process.argv[2] ?? '';
if (!fs.existsSync(dir)) {
  console.error(`no ${dir}: run \`npm run mutate\` first (stryker.config.json has the event-recorder reporter)`);
  process.exit(1);
}
const sources = new Map();
const lineOf = (file, line) => {
  if (!sources.has(file)) sources.set(file, fs.readFileSync(file, 'utf8').split('\n'));
  return (sources.get(file)[line - 1] ?? '').trim();
};
const perFile = new Map();
const undetected = [];
for (const name of fs
  .readdirSync(dir)
  .filter((n) => n.includes('onMutantTested'))
  .sort()) {
  const m = JSON.parse(fs.readFileSync(`${dir}/${name}`, 'utf8'));
  const file = m.fileName.slice(m.fileName.indexOf('packages/'));
  if (!file.includes(filter)) continue;
  const counts = perFile.get(file) ?? { killed: 0, undetected: 0 };
  // Stryker's score: killed and timed-out mutants are detected; survivors and uncovered ones are not.
  if (m.status === 'Killed' || m.status === 'Timeout') counts.killed++;
  else if (m.status === 'Survived' || m.status === 'NoCoverage') {
    counts.undetected++;
    const { line, column } = m.location.start;
    undetected.push(
      `${m.status === 'NoCoverage' ? 'no test ' : 'survived'} ${file}:${line}:${column} ${m.mutatorName} → ` +
        `${JSON.stringify(m.replacement).slice(0, 60)}\n    ${lineOf(m.fileName, line).slice(0, 110)}`,
    );
  }
  perFile.set(file, counts);
}
console.log(undetected.join('\n'));
let killed = 0;
let total = 0;
for (const [file, c] of [...perFile].sort()) {
  killed += c.killed;
  total += c.killed + c.undetected;
  const score = (100 * c.killed) / Math.max(1, c.killed + c.undetected);
  console.log(`${score.toFixed(1).padStart(6)}%  ${String(c.killed + c.undetected).padStart(4)} mutants  ${file}`);
}
console.log(
  `${((100 * killed) / Math.max(1, total)).toFixed(1).padStart(6)}%  ${String(total).padStart(4)} mutants  (all so far)`,
);
