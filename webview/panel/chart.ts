// A small two-axis line chart on a canvas: training loss (left axis) and words per second (right
// axis) against elapsed time. Drawn by hand to stay tiny and CSP-clean; colours come from the
// VS Code theme so it reads in light, dark and high-contrast themes alike.

import { frameScheduler, prepareCanvas } from './dom';

export interface ChartPoint {
  seconds: number;
  loss: number;
  wordsPerSecond: number;
}

/** A finished run's loss curve, drawn under the current run for comparison. */
export interface PastRun {
  name: string;
  points: { seconds: number; loss: number }[];
}

export interface ChartView {
  /** TensorBoard's smoothing weight, 0 (none) to 0.99: an exponential moving average, debiased. */
  smoothing: number;
  logScale: boolean;
}

/**
 * TensorBoard's smoothing: an exponential moving average whose start is debiased (divided by
 * 1 - weight^n), so the first points are not pulled toward zero.
 */
export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  let last = 0;
  let steps = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    steps++;
    return last / (1 - weight ** steps);
  });
}

export class TrainingChart {
  private points: ChartPoint[] = [];
  private pastRuns: PastRun[] = [];
  private readonly requestDraw = frameScheduler(() => this.draw());
  view: ChartView = { smoothing: 0, logScale: false };

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.requestDraw()).observe(canvas);
  }

  reset(): void {
    this.points = [];
    this.requestDraw();
  }

  add(point: ChartPoint): void {
    this.points.push(point);
    this.requestDraw();
  }

  setPastRuns(runs: PastRun[]): void {
    this.pastRuns = runs;
    this.requestDraw();
  }

  setView(view: Partial<ChartView>): void {
    this.view = { ...this.view, ...view };
    this.requestDraw();
  }

  /** Every plotted point as CSV: the current run and the earlier runs shown with it. */
  toCsv(name: string): string {
    const rows = ['run,seconds,loss,words_per_second'];
    const cell = (t: string) => (/[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
    for (const run of this.pastRuns) for (const p of run.points) rows.push(`${cell(run.name)},${p.seconds},${p.loss},`);
    for (const p of this.points) rows.push(`${cell(name)},${p.seconds},${p.loss},${p.wordsPerSecond}`);
    return `${rows.join('\n')}\n`;
  }


  private draw(): void {
    const canvas = this.canvas;
    const frame = prepareCanvas(canvas, 240);
    if (!frame) return;
    const { ctx, width, height } = frame;

    const style = getComputedStyle(document.body);
    const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const foreground = color('--vscode-descriptionForeground', '#888');
    const grid = color('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)');
    const lossColor = color('--vscode-charts-blue', '#3794ff');
    const rateColor = color('--vscode-charts-orange', '#d18616');
    const font = `${style.getPropertyValue('--vscode-font-size').trim() || '12px'} ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;

    const pad = { left: 56, right: 64, top: 12, bottom: 28 };
    const plotW = Math.max(10, width - pad.left - pad.right);
    const plotH = Math.max(10, height - pad.top - pad.bottom);
    const points = this.points.filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.wordsPerSecond));
    canvas.dataset.points = String(points.length);

    const past = this.pastRuns.map((run) => ({ ...run, points: run.points.filter((p) => Number.isFinite(p.loss) && (!this.view.logScale || p.loss > 0)) }));
    const maxSeconds = Math.max(1, ...points.map((p) => p.seconds), ...past.flatMap((r) => r.points.map((p) => p.seconds)));
    // Log scale plots log10(loss); the axis labels show the loss itself.
    const scale = (v: number) => (this.view.logScale ? Math.log10(Math.max(v, 1e-12)) : v);
    const unscale = (v: number) => (this.view.logScale ? 10 ** v : v);
    const currentLoss = smooth(points.map((p) => p.loss), this.view.smoothing).map(scale);
    const pastLoss = past.map((run) => smooth(run.points.map((p) => p.loss), this.view.smoothing).map(scale));
    const lossValues = [...currentLoss, ...pastLoss.flat()];
    const lossMin = lossValues.length ? Math.min(...lossValues) : 0;
    const lossMax = lossValues.length ? Math.max(...lossValues) : 1;
    const lossSpan = lossMax - lossMin || Math.max(1e-6, Math.abs(lossMax) * 0.1 || 1);
    const rateMax = Math.max(1, ...points.map((p) => p.wordsPerSecond)) * 1.1;

    const x = (s: number) => pad.left + (s / maxSeconds) * plotW;
    const yLoss = (v: number) => pad.top + plotH - ((v - (lossMin - lossSpan * 0.05)) / (lossSpan * 1.1)) * plotH;
    const yRate = (v: number) => pad.top + plotH - (v / rateMax) * plotH;

    ctx.font = font;
    ctx.lineWidth = 1;
    ctx.strokeStyle = grid;
    ctx.fillStyle = foreground;
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const yy = pad.top + (plotH * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + plotW, yy);
      ctx.stroke();
      if (lossValues.length) {
        const lossLabel = unscale(lossMax - ((lossSpan * 1.1) * i) / 4 + lossSpan * 0.05);
        ctx.textAlign = 'right';
        ctx.fillText(lossLabel.toPrecision(4), pad.left - 6, yy);
        ctx.textAlign = 'left';
        ctx.fillText(formatRate(rateMax * (1 - i / 4)), pad.left + plotW + 6, yy);
      }
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i <= 4; i++) {
      const s = (maxSeconds * i) / 4;
      ctx.fillText(formatSeconds(s), x(s), pad.top + plotH + 6);
    }
    // Earlier runs first, thin and muted, so the current run is drawn over them.
    const pastColors = ['--vscode-charts-purple', '--vscode-charts-green', '--vscode-charts-yellow', '--vscode-charts-red'].map((v) => color(v, foreground));
    past.forEach((run, r) => {
      ctx.globalAlpha = 0.55;
      this.line(ctx, run.points.map((p, i) => [x(p.seconds), yLoss(pastLoss[r][i])]), pastColors[r % pastColors.length], [], 1.5);
      ctx.globalAlpha = 1;
    });
    canvas.dataset.pastRuns = String(past.length);
    if (!points.length) {
      if (!past.length) {
        ctx.textBaseline = 'middle';
        ctx.fillText('The loss and speed of a training run appear here as it trains.', pad.left + plotW / 2, pad.top + plotH / 2);
      }
      return;
    }
    this.line(ctx, points.map((p) => [x(p.seconds), yRate(p.wordsPerSecond)]), rateColor, [4, 3]);
    this.line(ctx, points.map((p, i) => [x(p.seconds), yLoss(currentLoss[i])]), lossColor, []);
  }

  /** The past runs' legend entries with their colours, for the caption. */
  get pastRunNames(): string[] {
    return this.pastRuns.map((r) => r.name);
  }

  private line(ctx: CanvasRenderingContext2D, xy: [number, number][], strokeStyle: string, dash: number[], width = 2): void {
    ctx.save();
    ctx.strokeStyle = strokeStyle;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    xy.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
    if (xy.length === 1) ctx.arc(xy[0][0], xy[0][1], 2, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }
}

export function formatRate(wordsPerSecond: number): string {
  if (wordsPerSecond >= 1e6) return `${(wordsPerSecond / 1e6).toFixed(1)}M/s`;
  if (wordsPerSecond >= 1e3) return `${(wordsPerSecond / 1e3).toFixed(0)}k/s`;
  return `${Math.round(wordsPerSecond)}/s`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
