/**
 * Tokens to vectors, and where each token sits.
 *
 * Embedding: y[..., :] = W[index[...], :] — a lookup in a learned table W [numEmbeddings, dim]
 *   (PyTorch's layout and N(0, 1) initialisation). A row is a copy of W's row, so the gradient
 *   adds dy back into the rows that were read (a row read twice gets both): a gather forward and
 *   a scatter-add backward (the gather op's).
 *
 * Attention is blind to order (permuting the tokens permutes its output), so a transformer adds a
 * position signal to each token before the first block:
 * - SinusoidalPositionalEncoding (Vaswani et al., 2017), fixed:
 *     PE[t, 2i] = sin(t / 10000^(2i/d)),  PE[t, 2i+1] = cos(t / 10000^(2i/d));
 *   not learned and not saved (it is a function of t), y = x + PE[:L].
 * - LearnedPositionalEncoding (BERT, ViT): y = x + P[:L] with P [maxLength, dim] learned,
 *   initialised N(0, 0.02²) as in ViT.
 */
import { Tensor, exportedAs, gather } from '@skipgrad/autograd';
import {
  type DType,
  type Generator,
  NDArray,
  SkipgradError,
  checkSize,
  describe,
  formatShape,
  randn,
  checkOptions,
  checkGenerator,
} from '@skipgrad/tensor';
import { Module, Parameter, checkInput } from '../module.js';

function checkCount(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new SkipgradError(op, name, 'a positive integer', describe(v));
  return v as number;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: { generator?: Generator; dtype?: DType } = {}) {
    super();
    checkOptions('Embedding', options, ['generator', 'dtype']);
    this.numEmbeddings = checkCount('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkCount('Embedding', 'embeddingDim', embeddingDim);
    checkSize('Embedding', [numEmbeddings, embeddingDim], 4, 'numEmbeddings');
    checkGenerator('Embedding', 'generator', options.generator);
    this.weight = new Parameter(
      randn([numEmbeddings, embeddingDim], { generator: options.generator, dtype: options.dtype }),
    );
  }

  /** indices: a tensor of any shape holding integers in [0, numEmbeddings) → [...shape, embeddingDim]. */
  forward(indices: Tensor): Tensor {
    const idx = checkInput('Embedding', indices);
    const values = idx.data.toTypedArray();
    const d = this.embeddingDim;
    const rows = new Float64Array(values.length * d);
    values.forEach((v, r) => {
      if (!Number.isInteger(v) || v < 0 || v >= this.numEmbeddings) {
        throw new SkipgradError('Embedding', 'indices', `integers in [0, ${this.numEmbeddings})`, String(v));
      }
      rows.fill(v, r * d, (r + 1) * d);
    });
    // In ONNX: Gather(weight, indices as int64) — the indices stay an input, not constants.
    const form = {
      op: 'Gather',
      inputs: [1, { op: 'Cast', inputs: [0], attributes: { to: 7 } }],
      attributes: { axis: 0 },
    };
    return exportedAs('Embedding', [idx, this.weight], () => {
      const index = new Tensor(new NDArray(rows, [values.length, d]).copy(this.weight.dtype));
      return { output: gather(this.weight, 0, index).reshape([...idx.shape, d]), form };
    });
  }

  protected override describe(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/** The checks both encodings share: x is [..., L, dim] with L ≤ maxLength. */
function checkSequence(op: string, x: unknown, maxLength: number, dim: number): Tensor {
  const input = checkInput(op, x);
  if (input.rank < 2 || input.shape[input.rank - 1] !== dim) {
    throw new SkipgradError(op, 'x', `a tensor [..., tokens, ${dim}]`, `shape ${formatShape(input.shape)}`);
  }
  const length = input.shape[input.rank - 2]!;
  if (length > maxLength) {
    throw new SkipgradError(
      op,
      'x',
      `a sequence of at most ${maxLength} tokens (the table's length)`,
      `${length} tokens`,
      'make the encoding with a larger maxLength',
    );
  }
  return input;
}

export class SinusoidalPositionalEncoding extends Module {
  readonly maxLength: number;
  readonly dim: number;
  /** PE [maxLength, dim] — a constant, not a Buffer: it is not part of the state dict. */
  readonly table: NDArray;

  constructor(maxLength: number, dim: number, options: { dtype?: DType } = {}) {
    super();
    checkOptions('SinusoidalPositionalEncoding', options, ['dtype']);
    this.maxLength = checkCount('SinusoidalPositionalEncoding', 'maxLength', maxLength);
    this.dim = checkCount('SinusoidalPositionalEncoding', 'dim', dim);
    checkSize('SinusoidalPositionalEncoding', [maxLength, dim], 8, 'maxLength');
    const pe = new Float64Array(maxLength * dim);
    for (let t = 0; t < maxLength; t++) {
      for (let j = 0; j < dim; j++) {
        const angle = t / 10000 ** ((2 * Math.floor(j / 2)) / dim);
        pe[t * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    }
    this.table = new NDArray(pe, [maxLength, dim]).copy(options.dtype ?? 'float32');
  }

  forward(x: Tensor): Tensor {
    const input = checkSequence('SinusoidalPositionalEncoding', x, this.maxLength, this.dim);
    const length = input.shape[input.rank - 2]!;
    return input.add(new Tensor(this.table.copy(input.dtype)).narrow(0, 0, length));
  }

  protected override describe(): string {
    return `maxLength=${this.maxLength}, dim=${this.dim}`;
  }
}

export class LearnedPositionalEncoding extends Module {
  readonly maxLength: number;
  readonly dim: number;
  weight: Parameter;

  constructor(maxLength: number, dim: number, options: { generator?: Generator; dtype?: DType } = {}) {
    super();
    checkOptions('LearnedPositionalEncoding', options, ['generator', 'dtype']);
    this.maxLength = checkCount('LearnedPositionalEncoding', 'maxLength', maxLength);
    this.dim = checkCount('LearnedPositionalEncoding', 'dim', dim);
    checkSize('LearnedPositionalEncoding', [maxLength, dim], 8, 'maxLength');
    checkGenerator('LearnedPositionalEncoding', 'generator', options.generator);
    const p = randn([maxLength, dim], { generator: options.generator, dtype: 'float64' });
    this.weight = new Parameter(
      new NDArray(
        p.toTypedArray().map((v) => v * 0.02),
        [maxLength, dim],
      ).copy(options.dtype ?? 'float32'),
    );
  }

  forward(x: Tensor): Tensor {
    const input = checkSequence('LearnedPositionalEncoding', x, this.maxLength, this.dim);
    return input.add(this.weight.narrow(0, 0, input.shape[input.rank - 2]!));
  }

  protected override describe(): string {
    return `maxLength=${this.maxLength}, dim=${this.dim}`;
  }
}
