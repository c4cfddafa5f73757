/**
 * Device storage for the gpujs backend. In `gpu` mode a kernel's result stays a texture on the
 * GPU, chained into the next kernel as is; its values come to the host only when host code
 * reads them (printing, toArray, item), which `download` counts. In `webasm` and `cpu` modes
 * gpu.js computes into host memory, so a result is already a Float32Array and nothing is
 * transferred — the same wrapper keeps the accounting (live count, release) uniform.
 *
 * Memory: `release()` frees a result at once (Tensor.dispose, tidy, the backend's scope); otherwise a
 * FinalizationRegistry frees it when the last array viewing it is garbage-collected.
 */
import { type DeviceStorage, SkipgradError } from '@skipgrad/tensor';
import { ResultScopes } from '../scopes.js';

/** A gpu.js pipeline texture (only what we use of it). */
export interface GpuTexture {
  toArray(): Float32Array | number[];
  delete(): void;
}

export type Handle = GpuTexture | Float32Array;

export interface DeviceCounters {
  /** Host arrays copied to the device (gpu mode). */
  uploads: number;
  /** Values in those arrays. */
  uploadedValues: number;
  /** Device results read back to the host (gpu mode). */
  downloads: number;
  /** Kernels compiled. */
  compiles: number;
  /** Kernel launches. */
  launches: number;
  /** Results allocated and not yet freed. */
  live: number;
}

export class GpujsStorage implements DeviceStorage {
  readonly dtype = 'float32' as const;
  private host: Float32Array | null;
  private handleRef: Handle | null;

  constructor(
    readonly owner: string,
    handle: Handle,
    readonly length: number,
    private readonly memory: DeviceMemory,
  ) {
    this.handleRef = handle;
    this.host = handle instanceof Float32Array ? handle : null;
    memory.track(this, handle);
  }

  /** The texture or array to pass to the next kernel. */
  get handle(): Handle {
    if (!this.handleRef)
      throw new SkipgradError(
        this.owner,
        'tensor',
        'a tensor that is still alive',
        'a disposed tensor (its device memory was released)',
      );
    return this.handleRef;
  }

  get released(): boolean {
    return this.handleRef === null;
  }

  download(): Float32Array {
    if (this.host) return this.host;
    const values = (this.handle as GpuTexture).toArray();
    this.memory.counters.downloads++;
    this.host =
      values instanceof Float32Array && values.length === this.length
        ? values
        : Float32Array.from(values as ArrayLike<number>).subarray(0, this.length);
    return this.host;
  }

  /**
   * gpu.js 2 reads textures back synchronously, so this resolves with `download()`; under
   * gpu.js v3 (every kernel call a Promise) the await moves here, and nothing above changes.
   */
  async downloadAsync(): Promise<Float32Array> {
    return this.download();
  }

  /** Frees the device memory now; reading the values afterwards is an error. Idempotent. */
  release(): void {
    if (!this.handleRef) return;
    this.memory.free(this, this.handleRef);
    this.handleRef = null;
    this.host = null;
  }
}

/** Tracks every live result of one backend, and frees the forgotten ones. */
export class DeviceMemory {
  readonly counters: DeviceCounters = {
    uploads: 0,
    uploadedValues: 0,
    downloads: 0,
    compiles: 0,
    launches: 0,
    live: 0,
  };
  private readonly registry = new FinalizationRegistry<Handle>((handle) => this.drop(handle));
  readonly scopes = new ResultScopes<GpujsStorage>();

  track(storage: GpujsStorage, handle: Handle): void {
    this.counters.live++;
    this.registry.register(storage, handle, storage);
    this.scopes.add(storage);
  }

  free(storage: GpujsStorage, handle: Handle): void {
    this.registry.unregister(storage);
    this.drop(handle);
  }

  private drop(handle: Handle): void {
    this.counters.live--;
    // After destroy() the GL context is gone with every texture in it: nothing left to free.
    if (this.destroyed || handle instanceof Float32Array) return;
    handle.delete();
  }

  private destroyed = false;

  /** The backend is gone: later finalizations must not touch its context. */
  destroy(): void {
    this.destroyed = true;
  }
}
