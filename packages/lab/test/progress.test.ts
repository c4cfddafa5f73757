import { describe, expect, test } from 'vitest';
import { Progress } from '../src/progress.js';
import { greyImage, lineChart, niceTicks } from '../src/report/svg.js';

const sink = (isTTY: boolean): { text: string; write(t: string): void; isTTY: boolean; columns: number } => ({
  text: '',
  isTTY,
  columns: 200,
  write(t: string) {
    this.text += t;
  },
});

describe('progress bars', () => {
  test('off a terminal: nothing while running, one line at the end', () => {
    const s = sink(false);
    const p = new Progress('train', 4, { stream: s });
    p.tick(1, 'loss 2.000');
    p.tick(1);
    expect(s.text).toBe('');
    p.finish('loss 0.500');
    expect(s.text).toMatch(/^train \[█{24}\] 4\/4 in \d+\.\ds {2}loss 0\.500\n$/);
  });

  test('on a terminal: redrawn in place with a count and an estimate', () => {
    const s = sink(true);
    const p = new Progress('train', 4, { stream: s });
    expect(s.text).toBe('\rtrain [░░░░░░░░░░░░░░░░░░░░░░░░] 0/4\x1b[K');
    p.tick(4, 'loss 1.000');
    expect(s.text).toContain('\rtrain [████████████████████████] 4/4 eta 0.0s  loss 1.000\x1b[K');
    p.finish();
    expect(s.text.endsWith('\x1b[K\n')).toBe(true);
  });

  test('disabled: silent', () => {
    const s = sink(true);
    const p = new Progress('x', 2, { stream: s, enabled: false });
    p.tick();
    p.finish();
    expect(s.text).toBe('');
  });
});

describe('SVG charts', () => {
  test('round ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  test('a log chart draws one path per series and breaks lines at zeros', () => {
    const svg = lineChart({
      title: 'a & b',
      xLabel: 'layer',
      yLabel: 'norm',
      logY: true,
      series: [
        { name: 'plain', color: '#f00', x: [1, 2, 3, 4], y: [1e-3, 0, 1e-5, 1e-6] },
        { name: 'residual', color: '#00f', x: [1, 2], y: [1, 2] },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
    const plain = svg.match(/<path d="([^"]+)"[^>]*stroke="#f00"/)![1]!;
    expect(plain.match(/M/g)).toHaveLength(2); // a new stroke after the zero
    expect(svg).toContain('a &#38; b');
    expect(svg).toContain('>1e-6<');
    expect(svg).toContain('>1e0<');
  });

  test('a chart without series, or with x and y of different lengths, is refused; one without points draws empty axes', () => {
    expect(() => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(
      "lineChart: argument 'series' expected at least one series, got none",
    );
    const empty = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [{ name: 'diverged', color: '#000', x: [], y: [] }],
    });
    expect(empty).not.toContain('NaN');
    expect(empty).not.toContain('<path');
    expect(() =>
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', color: '#000', x: [1, 2], y: [1] }] }),
    ).toThrow("lineChart: argument 'series[0]' expected as many y values as x values, got 2 x and 1 y");
  });

  test('grey images: one square per pixel, 0 black and 1 white', () => {
    const svg = greyImage([0, 1, 0.5, 2], 2, 'm');
    expect(svg.match(/<rect/g)).toHaveLength(4);
    expect(svg).toContain('fill="rgb(0,0,0)"');
    expect(svg).toContain('fill="rgb(255,255,255)"');
    expect(svg).toContain('fill="rgb(128,128,128)"');
  });
});
