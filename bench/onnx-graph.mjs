// Tiny ONNX models for onnxruntime-web, one op each (or the MLP's forward), encoded by hand: an
// ONNX file is a protobuf ModelProto, and these use a dozen of its fields. Field numbers are
// from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, ...).
const FLOAT = 1; // TensorProto.DataType.FLOAT

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v > 0n) b |= 0x80; out.push(b); } while (v > 0n);
  return out;
}
const join = (parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** A varint field (wire type 0). */
const num = (field, n) => Uint8Array.from([...varint((field << 3) | 0), ...varint(n)]);
/** A length-delimited field (wire type 2): bytes, a string, or a nested message. */
const bytes = (field, b) => Uint8Array.from([...varint((field << 3) | 2), ...varint(b.length), ...b]);
const str = (field, s) => bytes(field, new TextEncoder().encode(s));

/** ValueInfoProto: a float tensor input or output of a fixed shape. */
const valueInfo = (name, dims) => join([str(1, name), bytes(2, bytes(1, join([num(1, FLOAT), bytes(2, join(dims.map((d) => bytes(1, num(1, d)))))])))]);
/** TensorProto: a float initializer (a weight baked into the model). */
const initializer = (name, dims, values) => join([...dims.map((d) => num(1, d)), num(2, FLOAT), str(8, name), bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))]);
/** AttributeProto of type INTS (7): e.g. pads = [1, 1, 1, 1]. */
const intsAttribute = (name, values) => join([str(1, name), ...values.map((v) => num(8, v)), num(20, 7)]);
/** NodeProto. */
const node = (op, inputs, outputs, attributes = []) => join([...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attributes.map((a) => bytes(5, a))]);

/** ModelProto: ir_version 8, opset 17, one graph. */
export function onnxModel({ nodes, inputs, outputs, initializers = [] }) {
  const graph = join([...nodes.map((n) => bytes(1, n)), str(2, 'g'), ...initializers.map((t) => bytes(5, t)),
    ...inputs.map(([n, d]) => bytes(11, valueInfo(n, d))), ...outputs.map(([n, d]) => bytes(12, valueInfo(n, d)))]);
  return join([num(1, 8), bytes(8, join([str(1, ''), num(2, 17)])), bytes(7, graph)]);
}

export const matmulModel = (n) => onnxModel({ nodes: [node('MatMul', ['A', 'B'], ['C'])], inputs: [['A', [n, n]], ['B', [n, n]]], outputs: [['C', [n, n]]] });
export const addModel = (a, b, out) => onnxModel({ nodes: [node('Add', ['A', 'B'], ['C'])], inputs: [['A', a], ['B', b]], outputs: [['C', out]] });
export const concatModel = (shape, axis) => onnxModel({
  nodes: [node('Concat', ['A', 'B'], ['C'], [join([str(1, 'axis'), num(3, axis), num(20, 2)])])],
  inputs: [['A', shape], ['B', shape]], outputs: [['C', shape.map((s, i) => (i === axis ? 2 * s : s))]],
});
/** Conv, NCHW, 3×3, padding 1, weights baked in. */
export const convModel = (x, w, weights) => onnxModel({
  nodes: [node('Conv', ['X', 'W'], ['Y'], [intsAttribute('pads', [1, 1, 1, 1]), intsAttribute('kernel_shape', [3, 3])])],
  inputs: [['X', x]], outputs: [['Y', [x[0], w[0], x[2], x[3]]]], initializers: [initializer('W', w, weights)],
});
/** The MLP's forward: x·W1 + b1, ReLU, ·W2 + b2, ReLU, ·W3 + b3 (W as [in, out]). */
export const mlpModel = (batch, dims, W, b) => onnxModel({
  nodes: [0, 1, 2].flatMap((l) => [
    node('MatMul', [l === 0 ? 'X' : `h${l}`, `W${l}`], [`m${l}`]),
    node('Add', [`m${l}`, `b${l}`], [l === 2 ? 'Y' : `a${l}`]),
    ...(l < 2 ? [node('Relu', [`a${l}`], [`h${l + 1}`])] : []),
  ]),
  inputs: [['X', [batch, dims[0]]]], outputs: [['Y', [batch, dims[3]]]],
  initializers: [0, 1, 2].flatMap((l) => [initializer(`W${l}`, [dims[l], dims[l + 1]], W[l]), initializer(`b${l}`, [dims[l + 1]], b[l])]),
});
