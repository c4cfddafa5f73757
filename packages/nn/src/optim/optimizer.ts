/**
 * The optimizer base: holds the parameters in groups, skips those without a gradient, and runs
 * each update under noGrad so that no graph is recorded. Updates replace a parameter's values
 * (Parameter.assign) instead of writing into shared storage.
 *
 * Parameter groups are PyTorch's: pass a list of `{ params, ...options }` instead of the
 * parameters, and each group's options (lr, weight decay, …) override the optimizer's for its
 * parameters — e.g. no weight decay on biases and norms, a smaller lr for a pretrained backbone.
 *
 * A step updates the parameters in buckets: those of one group and dtype whose states are
 * alike (the same counters, the same tensors present) go through `update` together, laid end
 * to end as one vector (end-to-end.ts) — the same values as one by one, in far fewer kernel
 * calls.
 */
import { Tensor, forgettingTemporaries, noGrad } from '@skipgrad/autograd';
import { SkipgradError, checkFunction, checkList, checkString, describe } from '@skipgrad/tensor';
import { Parameter } from '../module.js';
import { endToEnd, piece, starts } from './end-to-end.js';

/** The options every optimizer has. */
export interface BaseOptions {
  lr: number;
  /** Ascend the objective instead of descending it (the gradient's sign flipped). */
  maximize: boolean;
}

/**
 * What an optimizer keeps for one parameter between steps: tensors shaped like it (moments, a
 * momentum buffer), null where an option leaves one out, and counters (numbers).
 */
export type ParamState = Readonly<Record<string, Tensor | number | null>>;

/** A parameter's new value and new state, from `update`. */
export interface Update<S extends ParamState> {
  value: Tensor;
  state: S;
}

/** A group of parameters with options of its own (PyTorch's param_groups entry). */
export type ParamGroup<O> = { params: Iterable<Parameter> } & Partial<O>;
/** What an optimizer is given: the parameters, or groups of them. */
export type Params<O> = Iterable<Parameter> | readonly ParamGroup<O>[];

export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState> {
  /** Every parameter, group after group. */
  readonly params: Parameter[];
  /** The groups with their resolved options; a scheduler changes each group's lr. */
  readonly groups: (O & { params: Parameter[] })[];
  /** Completed steps. */
  stepCount = 0;
  private readonly groupOfParam: number[];
  /** Each parameter's state (by its index in `params`), once it has had an update. */
  protected readonly state = new Map<number, S>();

  /**
   * @param defaults  the optimizer's options, as the user gave them merged with the defaults
   * @param check     validates one group's resolved options (named errors), returning them
   */
  constructor(op: string, params: Params<O>, defaults: O, check: (options: O) => O) {
    checkString('Optimizer', 'op', op, "the optimizer's name (a string)");
    checkFunction('Optimizer', 'check', check);
    const groups = isGroupList(params)
      ? params
      : [
          {
            params: checkList(
              op,
              'params',
              params,
              (p) => p as Parameter,
              'a list of Parameters (module.parameters()) or of groups { params, …options }',
            ),
          } as unknown as ParamGroup<O>,
        ];
    this.groups = groups.map((g, i) => {
      if (g === null || typeof g !== 'object' || !('params' in g))
        throw new SkipgradError(op, `params[${i}]`, 'a Parameter or a group { params, …options }', describe(g));
      const { params: list, ...overrides } = g;
      const resolved = check({ ...defaults, ...overrides } as O);
      const members = checkList(op, `params[${i}].params`, list, (p) => p as Parameter, 'a list of Parameters');
      members.forEach((p, j) => {
        if (!(p instanceof Parameter))
          throw new SkipgradError(
            op,
            groups === params ? `params[${i}].params[${j}]` : `params[${j}]`,
            'a Parameter',
            describe(p),
          );
      });
      // A parameter shared by two modules (tied weights) is listed twice: it is updated once.
      return { ...resolved, params: [...new Set(members)] };
    });
    this.params = this.groups.flatMap((g) => g.params);
    this.groupOfParam = this.groups.flatMap((g, i) => g.params.map(() => i));
    if (new Set(this.params).size !== this.params.length) {
      throw new SkipgradError(op, 'params', 'each parameter in one group only', 'a parameter in two groups');
    }
  }

  /** The learning rate of the first group; setting it sets every group's. */
  get lr(): number {
    return this.groups[0]?.lr ?? 0;
  }
  set lr(value: number) {
    for (const g of this.groups) g.lr = value;
  }

  /**
   * Applies one update to every parameter that has a gradient. On a backend that caches
   * arrays (wasm) it then forgets the cached copies of the update's intermediate values,
   * keeping the new parameters and the optimizer's state (Backend.forgetScope).
   */
  step(): void {
    this.stepCount++;
    forgettingTemporaries(() => {
      noGrad(() => {
        for (const bucket of this.buckets()) this.updateBucket(bucket);
      });
      return [...this.params, ...this.stateTensors()];
    });
  }

  /**
   * The parameters with a gradient, in buckets that one `update` can serve: the same group,
   * the same dtype, and states alike — none yet, or the same counters and the same tensors
   * present. In the order of `params` within each bucket.
   */
  private buckets(): number[][] {
    const buckets = new Map<string, number[]>();
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const previous = this.state.get(i);
      const kind = previous
        ? Object.entries(previous).map(([k, v]) => `${k}:${v instanceof Tensor ? 'tensor' : String(v)}`)
        : ['none'];
      const key = [this.groupOfParam[i], p.dtype, ...kind].join('|');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    });
    return [...buckets.values()];
  }

  /** One `update` for the parameters `indices` (one bucket), laid end to end when there are several. */
  private updateBucket(indices: number[]): void {
    const params = indices.map((i) => this.params[i]!);
    const group = this.groups[this.groupOfParam[indices[0]!]!]!;
    const states = indices.map((i) => this.state.get(i));
    const single = indices.length === 1;
    const grads = params.map((p) => p.grad!);
    const grad = single ? grads[0]! : endToEnd(grads);
    const { value, state } = this.update(
      single ? params[0]! : endToEnd(params),
      group.maximize ? grad.neg() : grad,
      single || states[0] === undefined ? states[0] : joinStates(states as S[]),
      group,
    );
    if (single) {
      params[0]!.assign(value.data);
      this.state.set(indices[0]!, state);
      return;
    }
    const at = starts(params.map((p) => p.shape));
    params.forEach((p, j) => {
      p.assign(piece(value, at[j]!, p.shape).data);
      this.state.set(indices[j]!, cutState(state, at[j]!, p.shape));
    });
  }

  /** The tensors the optimizer carries from step to step (momentum, moments): kept by `step`. */
  protected stateTensors(): Tensor[] {
    return [...this.state.values()].flatMap((s) => Object.values(s).filter((v): v is Tensor => v instanceof Tensor));
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /**
   * The new value and state of a parameter from its value, its gradient (negated when
   * maximizing), its state after the last update (undefined before the first) and its group's
   * options. It must be elementwise — coordinate by coordinate, with the state tensors shaped
   * like p — since p may be several parameters laid end to end (see `step`).
   */
  protected abstract update(p: Tensor, grad: Tensor, previous: S | undefined, options: O): Update<S>;
}

/** The states of a bucket as one: each tensor laid end to end; counters and nulls as they are (alike in a bucket). */
function joinStates<S extends ParamState>(states: S[]): S {
  const first = states[0]!;
  return Object.fromEntries(
    Object.entries(first).map(([k, v]) => [k, v instanceof Tensor ? endToEnd(states.map((s) => s[k] as Tensor)) : v]),
  ) as S;
}

/** One parameter's part of a bucket's state: each tensor's piece at `start`, shaped like the parameter. */
function cutState<S extends ParamState>(state: S, start: number, shape: readonly number[]): S {
  return Object.fromEntries(
    Object.entries(state).map(([k, v]) => [k, v instanceof Tensor ? piece(v, start, shape) : v]),
  ) as S;
}

function isGroupList<O>(params: Params<O>): params is readonly ParamGroup<O>[] {
  return Array.isArray(params) && params.length > 0 && !(params[0] instanceof Parameter);
}

/** The checks every optimizer's options share: lr ≥ 0, maximize a boolean. */
export function checkBase(op: string, o: BaseOptions): void {
  if (typeof o.lr !== 'number' || !(o.lr >= 0))
    throw new SkipgradError(op, 'lr', 'a non-negative learning rate', describe(o.lr));
  if (typeof o.maximize !== 'boolean') throw new SkipgradError(op, 'maximize', 'a boolean', describe(o.maximize));
}

export function checkRange(op: string, name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi))
    throw new SkipgradError(op, name, `a number in [${lo}, ${hi}]`, describe(v));
  return v;
}
