import * as ort from 'onnxruntime-node';
import type { Tensor } from '@skipgrad/autograd';

/** Runs an ONNX file in ONNX Runtime on its inputs (float32); returns the first output's values and shape. */
export async function runOnnx(
  bytes: Uint8Array,
  ...inputs: Tensor[]
): Promise<{ values: Float32Array; shape: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const feed = Object.fromEntries(
    inputs.map((x, i) => [
      session.inputNames[i]!,
      new ort.Tensor('float32', Float32Array.from(x.data.toTypedArray()), [...x.shape]),
    ]),
  );
  const out = (await session.run(feed))[session.outputNames[0]!]!;
  return { values: out.data as Float32Array, shape: out.dims };
}
