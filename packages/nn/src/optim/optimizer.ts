/**
 * The optimizer base: holds the parameters in groups, skips those without a gradient, and runs
 * each update under noGrad so that no graph is recorded. Updates replace a parameter's values
 * (Parameter.assign) instead of writing into shared storage.
 *
 * Parameter groups are PyTorch's: pass a list of `{ params, ...options }` instead of the
 * parameters, and each group's options (lr, weight decay, …) override the optimizer's for its
 * parameters — e.g. no weight decay on biases and norms, a smaller lr for a pretrained backbone.
 */
import { type Tensor, forgettingTemporaries, noGrad } from '@skipgrad/autograd';
import { SkipgradError, checkFunction, checkList, checkString, describe } from '@skipgrad/tensor';
import { Parameter } from '../module.js';

/** The options every optimizer has. */
export interface BaseOptions {
  lr: number;
  /** Ascend the objective instead of descending it (the gradient's sign flipped). */
  maximize: boolean;
}

/** A group of parameters with options of its own (PyTorch's param_groups entry). */
export type ParamGroup<O> = { params: Iterable<Parameter> } & Partial<O>;
/** What an optimizer is given: the parameters, or groups of them. */
export type Params<O> = Iterable<Parameter> | readonly ParamGroup<O>[];

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** Every parameter, group after group. */
  readonly params: Parameter[];
  /** The groups with their resolved options; a scheduler changes each group's lr. */
  readonly groups: (O & { params: Parameter[] })[];
  /** Completed steps. */
  stepCount = 0;
  private readonly groupOfParam: number[];

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
        this.params.forEach((p, i) => {
          if (p.grad === null) return;
          const group = this.groups[this.groupOfParam[i]!]!;
          p.assign(this.update(p, group.maximize ? p.grad.neg() : p.grad, i, group).data);
        });
      });
      return [...this.params, ...this.stateTensors()];
    });
  }

  /** The tensors the optimizer carries from step to step (momentum, moments): kept by `step`. */
  protected stateTensors(): Tensor[] {
    return [];
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The new value of parameter `index` from its value, its gradient (negated when maximizing) and its group's options. */
  protected abstract update(p: Tensor, grad: Tensor, index: number, options: O): Tensor;
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
