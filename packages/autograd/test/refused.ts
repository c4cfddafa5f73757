// The refusal a call throws, checked whole: a SkipgradError (never a TypeError from deep
// inside) whose message is exactly `message` — op, argument, what was expected, what was given.
import { expect } from 'vitest';
import { SkipgradError } from '@skipgrad/tensor';

export function expectRefusal(call: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SkipgradError);
  expect((thrown as Error).message).toBe(message);
}
