/**
 * A generated segmentation task for the U-Net experiment: each image holds one to three shapes
 * — filled rectangles, discs and thin bars one or two pixels wide — at random places and grey
 * levels, over a noisy background. The target mask is 1 on the shapes' pixels. Thin bars and
 * exact edges are what a decoder cannot recover from the coarse bottleneck alone; the long
 * skips hand it the full-resolution encoder features.
 */
import { type Generator, SkipgradError, describe } from '@skipgrad/tensor';

export interface Segmentation {
  /** count × side × side inputs. */
  images: Float32Array;
  /** count × side × side masks, 0 or 1. */
  masks: Float32Array;
  count: number;
  side: number;
}

export function generateShapes(count: number, side: number, g: Generator): Segmentation {
  if (!Number.isInteger(count) || count < 0)
    throw new SkipgradError('generateShapes', 'count', 'a whole number of images, 0 or more', describe(count));
  if (!Number.isInteger(side) || side < 4)
    throw new SkipgradError('generateShapes', 'side', 'an integer of at least 4 (pixels)', describe(side));
  const size = side * side;
  const images = new Float32Array(count * size);
  const masks = new Float32Array(count * size);
  const int = (lo: number, hi: number): number => lo + Math.floor(g.uniform() * (hi - lo + 1));
  for (let n = 0; n < count; n++) {
    const image = images.subarray(n * size, (n + 1) * size);
    const mask = masks.subarray(n * size, (n + 1) * size);
    for (let i = 0; i < size; i++) image[i] = 0.25 * g.uniform();
    const shapes = int(1, 3);
    for (let s = 0; s < shapes; s++) {
      const level = 0.45 + 0.5 * g.uniform();
      const kind = int(0, 2);
      const inside = shapeTest(kind, side, int, g);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (!inside(x, y)) continue;
          image[y * side + x] = level + 0.1 * (g.uniform() - 0.5);
          mask[y * side + x] = 1;
        }
      }
    }
  }
  return { images, masks, count, side };
}

/** A random rectangle (0), disc (1) or thin bar (2), as a point-in-shape test. */
function shapeTest(
  kind: number,
  side: number,
  int: (lo: number, hi: number) => number,
  g: Generator,
): (x: number, y: number) => boolean {
  if (kind === 0) {
    const [w, h] = [int(2, side >> 1), int(2, side >> 1)];
    const [x0, y0] = [int(0, side - w), int(0, side - h)];
    return (x, y) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
  }
  if (kind === 1) {
    const r = 1.5 + g.uniform() * (side / 5);
    const [cx, cy] = [int(0, side - 1), int(0, side - 1)];
    return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  }
  const thick = int(1, 2);
  const at = int(0, side - thick);
  const [from, to] = [int(0, side >> 2), int(side >> 1, side - 1)];
  return g.uniform() < 0.5
    ? (x, y) => y >= at && y < at + thick && x >= from && x <= to
    : (x, y) => x >= at && x < at + thick && y >= from && y <= to;
}
