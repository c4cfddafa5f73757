/**
 * The backward rule of each primitive op, in one line: what a trace prints when it walks a
 * node. (Each op's file holds the full story; this is the caption.)
 */
export const RULES: Readonly<Record<string, string>> = {
  add: 'da = unbroadcast(dy), db = unbroadcast(dy)',
  sub: 'da = unbroadcast(dy), db = unbroadcast(−dy)',
  mul: 'da = unbroadcast(dy·b), db = unbroadcast(dy·a)',
  div: 'da = unbroadcast(dy/b), db = unbroadcast(−dy·a/b²)',
  pow: 'da = unbroadcast(dy·b·a^(b−1)), db = unbroadcast(dy·y·ln a)',
  neg: 'da = −dy',
  exp: 'da = dy·y',
  log: 'da = dy/a',
  relu: 'da = dy·[a > 0]',
  abs: 'da = dy·sign(a)',
  erf: 'da = dy·2/√π·e^(−a²)',
  tanh: 'da = dy·(1 − y²)',
  sigmoid: 'da = dy·y·(1 − y)',
  sum: 'da = expand(dy) over the summed axes',
  max: 'da = dy·[a == max] / number of ties',
  reshape: 'da = reshape(dy, shape of a)',
  permute: 'da = permute(dy, inverse axes)',
  expand: 'da = unbroadcast(dy) (sum over the repeated axes)',
  slice: 'da = pad(dy) with zeros outside the slice',
  pad: 'da = slice(dy) (the interior)',
  concat: 'da_i = slice(dy) (backward is split)',
  matmul: 'da = dy·bᵀ, db = aᵀ·dy (summed over broadcast batches)',
  cast: 'da = cast(dy) back to a\'s dtype',
  where: 'da = where(cond, dy, 0), db = where(cond, 0, dy)',
  gather: 'da = scatterAdd(dy) at the gathered positions',
  scatterAdd: 'dsrc = gather(dy) at the scattered positions',
  unfold: 'da = fold(dy) (col2im)',
  conv2d: 'dx = fold(Wᵀ·dy), dW = Σₙ dy·unfold(x)ᵀ',
  fold: 'dcols = unfold(dy) (im2col)',
};

/**
 * The one-line backward rule of an op, as traces print it.
 *
 * @example
 * ruleOf('mul'); // 'da = unbroadcast(dy·b), db = unbroadcast(dy·a)'
 */
export function ruleOf(op: string): string {
  return RULES[op] ?? '(custom op: its own backward)';
}
