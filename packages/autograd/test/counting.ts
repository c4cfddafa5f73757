// A backend that writes down the name of every method called on it, in order, and otherwise is
// the backend it wraps: for tests that assert how many kernel calls an op makes.
import type { Backend } from '@skipgrad/kernels';

export function countingBackend(inner: Backend): { backend: Backend; calls: string[] } {
  const calls: string[] = [];
  const backend = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend, calls };
}
