/**
 * Running a kernel plan on gpu.js, and the three caches that make a training loop cheap:
 * - compiled kernels, by source and sizes (a loop compiles each kernel in its first step only);
 * - host arrays already uploaded (a constant input is copied to the device once);
 * - the device copies of recent scalars (ops make a learning rate or a 1 − p as a fresh host
 *   array on every call: the last few hundred values are kept, so a loop uploads each one once).
 */
import { NDArray, type Storage, sizeOf } from '@skipgrad/tensor';
import { DeviceMemory, GpujsStorage, type Handle } from './device.js';
import { type KernelPlan, copyPlan } from './kernels.js';
import type { GpuInstance, GpuKernel } from './loader.js';

/** What gpu.js compiles a kernel argument for: a number, or an array's or a texture's size. */
function argumentSize(a: unknown): string {
  if (typeof a === 'number') return 'n';
  if (a instanceof Float32Array) return String(a.length);
  const texture = a as { output?: number[]; size?: number[] };
  return `t${(texture.output ?? []).join('x')}/${(texture.size ?? []).join('x')}`;
}

const KEPT_SCALARS = 256;

export class KernelRunner {
  readonly memory = new DeviceMemory();
  readonly kernels = new Map<string, GpuKernel>();
  private readonly uploaded = new WeakMap<Storage, GpujsStorage>();
  private readonly scalars = new Map<number, GpujsStorage>();

  constructor(
    private readonly gpu: GpuInstance,
    private readonly backendName: string,
    private readonly onDevice: boolean,
  ) {}

  /** Runs `plan` on these arguments (device handles, host arrays, numbers); the result stays on the device. */
  launch(plan: KernelPlan, args: readonly unknown[]): GpujsStorage {
    const size = sizeOf(plan.shape);
    // The source fixes the strides; the output size and the input lengths complete the key
    // (gpu.js compiles a kernel for fixed sizes of both).
    const key = `${size}|${args.map(argumentSize).join(',')}|${plan.source}`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.gpu.createKernel(plan.source, {
        output: [Math.max(1, size)],
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        loopMaxIterations: Math.max(1000, plan.loop + 1),
        dynamicOutput: false,
      });
      this.kernels.set(key, kernel);
      this.memory.counters.compiles++;
    }
    this.memory.counters.launches++;
    return new GpujsStorage(this.backendName, kernel(...args) as Handle, size, this.memory);
  }

  /** The handle a kernel reads for `a`: a device result as is, a host array uploaded (once). */
  handleOf(a: NDArray): Handle {
    const device = a.device;
    if (device instanceof GpujsStorage) return device.handle;
    const host = a.storage as Float32Array;
    if (!this.onDevice) return host; // webasm and cpu modes read host arrays directly
    let up = this.uploaded.get(host) ?? (host.length === 1 ? this.scalars.get(host[0]!) : undefined);
    if (!up || up.released) {
      up = this.launch(copyPlan(new NDArray(host, [host.length])), [host]);
      this.memory.counters.uploads++;
      this.memory.counters.uploadedValues += host.length;
      this.uploaded.set(host, up);
      // (Map keys cannot tell 0 from −0, nor NaN from NaN usefully: those are not kept.)
      if (host.length === 1 && !Number.isNaN(host[0]!) && !Object.is(host[0], -0)) {
        if (this.scalars.size >= KEPT_SCALARS) this.scalars.delete(this.scalars.keys().next().value!);
        this.scalars.set(host[0]!, up);
      }
    }
    return up.handle;
  }

  destroy(): void {
    this.memory.destroy();
    this.kernels.clear();
    this.gpu.destroy();
  }
}
