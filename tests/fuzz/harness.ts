/**
 * The parent side of the fuzz suite: runs tests/fuzz/runner.ts in child processes, with a
 * watchdog per call. A call without an answer within `hangMs` is a hang (the child is killed);
 * a child that dies inside a call is a crash; either way a fresh child goes on from the next call.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FuzzOutcome {
  index: number;
  name: string;
  outcome: string;
  detail: string;
}

export async function fuzz(seed: number, count: number, hangMs = 20_000): Promise<FuzzOutcome[]> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const results: FuzzOutcome[] = [];
  let next = 0;
  while (next < count) {
    const pending = await new Promise<{ index: number; name: string; failure: 'hang' | 'crash' } | null>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'tests/fuzz/runner.ts', String(seed), String(count), String(next)],
        {
          cwd: root,
          env: { ...process.env, SKIPGRAD_MAX_ELEMENTS: String(2 ** 24) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let started: { index: number; name: string } | null = null;
      let buffer = '';
      let timer: NodeJS.Timeout | null = null;
      let hung = false;
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, hangMs);
      };
      arm(); // the child's start-up counts against the first call's budget
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const [kind, index, ...rest] = line.split(' ');
          if (kind === 'START') {
            started = { index: Number(index), name: rest[0]! };
            arm();
          } else if (kind === 'END' && started) {
            results.push({
              index: Number(index),
              name: started.name,
              outcome: rest[0]!,
              detail: rest.slice(1).join(' '),
            });
            next = Number(index) + 1;
            started = null;
          }
        }
      });
      child.stderr.resume();
      child.on('exit', () => {
        if (timer) clearTimeout(timer);
        resolve(started ? { ...started, failure: hung ? 'hang' : 'crash' } : null);
      });
    });
    if (pending) {
      results.push({ index: pending.index, name: pending.name, outcome: pending.failure, detail: '' });
      next = pending.index + 1;
    } else if (next < count) {
      // The child ended without starting its next call (it could not start at all): stop rather than loop.
      results.push({
        index: next,
        name: '(runner)',
        outcome: 'crash',
        detail: 'the runner exited before its next call',
      });
      break;
    }
  }
  return results;
}

/** Outcome → count, and the failures (anything but ok and named) grouped by function. */
export function summarise(results: readonly FuzzOutcome[]): {
  counts: Record<string, number>;
  failures: FuzzOutcome[];
} {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return { counts, failures: results.filter((r) => r.outcome !== 'ok' && r.outcome !== 'named') };
}
