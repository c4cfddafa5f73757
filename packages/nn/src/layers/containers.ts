/** Containers: Sequential runs its modules in order; ModuleList just holds them. */
import type { Tensor } from '@skipgrad/autograd';
import { SkipgradError, checkList, describe } from '@skipgrad/tensor';
import { Module } from '../module.js';

function checkModules(op: string, modules: unknown): Module[] {
  return checkList(
    op,
    'modules',
    modules,
    (m, i) => {
      if (!(m instanceof Module)) throw new SkipgradError(op, `modules[${i}]`, 'a Module', describe(m));
      return m;
    },
    'a list of Modules',
  );
}

/** y = f_n(… f_2(f_1(x))). */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    this.layers = checkModules('Sequential', modules);
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }

  override *namedChildren(): Generator<[string, Module]> {
    for (const [i, m] of this.layers.entries()) yield [String(i), m];
  }
}

/** A list of modules whose parameters are registered; the owner decides how to call them. */
export class ModuleList extends Module {
  readonly items: Module[];

  constructor(modules: readonly Module[] = []) {
    super();
    this.items = checkModules('ModuleList', modules);
  }

  get length(): number {
    return this.items.length;
  }
  at(i: number): Module | undefined {
    return this.items.at(i);
  }
  push(m: Module): void {
    this.items.push(...checkModules('ModuleList.push', [m]));
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  forward(): Tensor {
    throw new SkipgradError(
      'ModuleList.forward',
      'this',
      'a module with a forward (a ModuleList only holds modules)',
      'a ModuleList',
      'iterate over it and call each module',
    );
  }

  override *namedChildren(): Generator<[string, Module]> {
    for (const [i, m] of this.items.entries()) yield [String(i), m];
  }
}
