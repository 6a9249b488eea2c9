// The Classifier section's two plots. EpochChart: a canvas with train and validation loss (left
// axis) and accuracy (right axis, 0–100%) per epoch, the best epoch marked once known. CurvePlot: an
// SVG of test accuracy against the number of labelled training examples (log scale), one line per
// embedding variant. Colours come from the VS Code theme (canvas: computed CSS variables; SVG: CSS
// classes in panel.css), so light, dark and high-contrast themes all read.
import type { CurvePoint, EmbeddingMode, EpochReport } from '../../src/shared/classifierProtocol';
import { frameScheduler, prepareCanvas } from './dom';

export const VARIANT_LABELS: Record<EmbeddingMode, string> = { random: 'from scratch', frozen: 'frozen', tuned: 'fine-tuned' };
export const VARIANT_ORDER: readonly EmbeddingMode[] = ['random', 'frozen', 'tuned'];

const percent = (ratio: number, digits = 1) => `${(ratio * 100).toFixed(digits)}%`;

export class EpochChart {
  private epochs: EpochReport[] = [];
  private best: number | undefined;
  private readonly requestDraw = frameScheduler(() => this.draw());

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.requestDraw()).observe(canvas);
    this.describe();
  }

  reset(): void {
    this.epochs = [];
    this.best = undefined;
    this.changed();
  }

  add(epoch: EpochReport): void {
    // A replayed epoch replaces the one it repeats.
    this.epochs = this.epochs.filter((e) => e.epoch !== epoch.epoch);
    this.epochs.push(epoch);
    this.epochs.sort((a, b) => a.epoch - b.epoch);
    this.changed();
  }

  /** The whole history at once (a result), with the epoch whose weights were kept. */
  setHistory(history: readonly EpochReport[], bestEpoch: number): void {
    if (history.length) this.epochs = [...history].sort((a, b) => a.epoch - b.epoch);
    this.best = bestEpoch;
    this.changed();
  }

  get count(): number {
    return this.epochs.length;
  }

  private changed(): void {
    this.canvas.dataset.points = String(this.epochs.length);
    this.describe();
    this.requestDraw();
  }

  private describe(): void {
    const last = this.epochs[this.epochs.length - 1];
    let text = 'Training and validation loss and accuracy per epoch';
    if (!last) text += ': no epochs yet.';
    else {
      text += `: ${this.epochs.length} epoch${this.epochs.length === 1 ? '' : 's'}; latest (epoch ${last.epoch}) train loss ${last.trainLoss.toFixed(3)}, validation loss ${fixed(last.validationLoss, 3)}, train accuracy ${percent(last.trainAccuracy)}, validation accuracy ${finite(last.validationAccuracy) ? percent(last.validationAccuracy) : 'n/a'}.`;
      if (this.best !== undefined) text += ` Best epoch: ${this.best}.`;
    }
    this.canvas.setAttribute('aria-label', text);
  }


  private draw(): void {
    const canvas = this.canvas;
    const frame = prepareCanvas(canvas, 220);
    if (!frame) return;
    const { ctx, width, height } = frame;

    const t = theme();
    const pad = { left: 56, right: 52, top: 12, bottom: 28 };
    const plotW = Math.max(10, width - pad.left - pad.right);
    const plotH = Math.max(10, height - pad.top - pad.bottom);
    const epochs = this.epochs;
    const firstEpoch = epochs.length ? epochs[0].epoch : 1;
    const lastEpoch = Math.max(firstEpoch + 1, epochs.length ? epochs[epochs.length - 1].epoch : 2);
    const losses = epochs.flatMap((e) => [e.trainLoss, e.validationLoss]).filter(finite);
    const lossMax = 4 * niceStep((losses.length ? Math.max(...losses) || 1 : 1) / 4);

    const x = (epoch: number) => pad.left + ((epoch - firstEpoch) / (lastEpoch - firstEpoch)) * plotW;
    const yLoss = (v: number) => pad.top + plotH - (v / lossMax) * plotH;
    const yAcc = (v: number) => pad.top + plotH - v * plotH;

    ctx.font = t.font;
    ctx.lineWidth = 1;
    ctx.strokeStyle = t.grid;
    ctx.fillStyle = t.foreground;
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const yy = pad.top + (plotH * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + plotW, yy);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText((lossMax * (1 - i / 4)).toFixed(2), pad.left - 6, yy);
      ctx.textAlign = 'left';
      ctx.fillText(`${100 - i * 25}%`, pad.left + plotW + 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const span = lastEpoch - firstEpoch;
    const step = Math.max(1, Math.ceil(span / 10));
    for (let e = firstEpoch; e <= lastEpoch; e += step) ctx.fillText(String(e), x(e), pad.top + plotH + 6);
    if (!epochs.length) {
      ctx.textBaseline = 'middle';
      ctx.fillText('Loss and accuracy appear here after each epoch.', pad.left + plotW / 2, pad.top + plotH / 2);
      return;
    }
    if (this.best !== undefined && this.best >= firstEpoch && this.best <= lastEpoch) {
      ctx.save();
      ctx.strokeStyle = t.best;
      ctx.fillStyle = t.best;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x(this.best), pad.top);
      ctx.lineTo(x(this.best), pad.top + plotH);
      ctx.stroke();
      ctx.textBaseline = 'top';
      ctx.textAlign = x(this.best) > pad.left + plotW - 40 ? 'right' : 'left';
      ctx.fillText(' best ', x(this.best), pad.top + 2);
      ctx.restore();
    }
    const series = (value: (e: EpochReport) => number, y: (v: number) => number) =>
      epochs.filter((e) => finite(value(e))).map((e) => [x(e.epoch), y(value(e))] as [number, number]);
    line(ctx, series((e) => e.trainAccuracy, yAcc), t.train, [5, 3]);
    line(ctx, series((e) => e.validationAccuracy, yAcc), t.validation, [5, 3]);
    line(ctx, series((e) => e.trainLoss, yLoss), t.train, []);
    line(ctx, series((e) => e.validationLoss, yLoss), t.validation, []);
  }
}

function theme() {
  const style = getComputedStyle(document.body);
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: color('--vscode-descriptionForeground', '#888'),
    grid: color('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    train: color('--vscode-charts-blue', '#3794ff'),
    validation: color('--vscode-charts-orange', '#d18616'),
    best: color('--vscode-charts-green', '#388a34'),
    font: `${style.getPropertyValue('--vscode-font-size').trim() || '12px'} ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`,
  };
}

function line(ctx: CanvasRenderingContext2D, xy: [number, number][], strokeStyle: string, dash: number[]): void {
  if (!xy.length) return;
  ctx.save();
  ctx.strokeStyle = strokeStyle;
  ctx.fillStyle = strokeStyle;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  xy.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
  ctx.stroke();
  ctx.setLineDash([]);
  for (const [px, py] of xy) {
    ctx.beginPath();
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least `x`: axis steps that read well. */
function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= x * (1 - 1e-9)) ?? 10) * power;
}

export const finite = (v: number) => Number.isFinite(v);
const fixed = (v: number, digits: number) => (finite(v) ? v.toFixed(digits) : 'n/a');

// ---------- transfer-gain curve ----------

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, className = ''): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (className) el.setAttribute('class', className);
  return el;
}

export class CurvePlot {
  private points: CurvePoint[] = [];
  private readonly requestDraw = frameScheduler(() => this.draw());

  constructor(private readonly root: SVGSVGElement) {
    new ResizeObserver(() => this.requestDraw()).observe(root);
    this.set([]);
  }

  set(points: readonly CurvePoint[]): void {
    this.points = points.filter((p) => p.size > 0 && finite(p.accuracy));
    this.root.dataset.points = String(this.points.length);
    this.root.setAttribute('aria-label', describeCurve(this.points));
    this.requestDraw();
  }


  private draw(): void {
    const root = this.root;
    const width = Math.max(200, root.clientWidth || 600);
    const height = Math.max(120, root.clientHeight || 240);
    root.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const pad = { left: 52, right: 16, top: 12, bottom: 34 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const children: SVGElement[] = [];
    const points = this.points;
    const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
    const lo = Math.log10(sizes[0] ?? 10);
    const hi = Math.log10(sizes[sizes.length - 1] ?? 1000);
    const [xLo, xHi] = hi - lo < 1e-9 ? [lo - 0.5, hi + 0.5] : [lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.04];
    const accs = points.map((p) => p.accuracy);
    let yLo = accs.length ? Math.floor(Math.min(...accs) * 10) / 10 : 0;
    let yHi = accs.length ? Math.ceil(Math.max(...accs) * 10) / 10 : 1;
    if (yHi - yLo < 0.1) [yLo, yHi] = [Math.max(0, yHi - 0.1), Math.max(0.1, yHi)];
    if (yHi === yLo) yHi = yLo + 0.1;
    const x = (size: number) => pad.left + ((Math.log10(size) - xLo) / (xHi - xLo)) * plotW;
    const y = (acc: number) => pad.top + plotH - ((acc - yLo) / (yHi - yLo)) * plotH;

    const step = yHi - yLo > 0.35 ? 0.1 : 0.05;
    const ticks = Math.round((yHi - yLo) / step);
    for (let i = 0; i <= ticks; i++) {
      const v = yLo + step * i;
      children.push(svg('line', { x1: pad.left, x2: pad.left + plotW, y1: y(v), y2: y(v) }, 'clf-grid'));
      const label = svg('text', { x: pad.left - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, 'clf-axis-label');
      label.textContent = `${Math.round(v * 100)}%`;
      children.push(label);
    }
    for (const size of sizes) {
      children.push(svg('line', { x1: x(size), x2: x(size), y1: pad.top, y2: pad.top + plotH }, 'clf-grid'));
      const label = svg('text', { x: x(size), y: pad.top + plotH + 14, 'text-anchor': 'middle' }, 'clf-axis-label');
      label.textContent = size.toLocaleString();
      children.push(label);
    }
    const axisTitle = svg('text', { x: pad.left + plotW / 2, y: height - 2, 'text-anchor': 'middle' }, 'clf-axis-label');
    axisTitle.textContent = 'labelled training examples (log scale)';
    children.push(axisTitle);
    if (!points.length) {
      const empty = svg('text', { x: pad.left + plotW / 2, y: pad.top + plotH / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, 'clf-axis-label');
      empty.textContent = 'Test accuracy per training-set size appears here as each point is trained.';
      children.push(empty);
    }
    for (const variant of VARIANT_ORDER) {
      const own = points.filter((p) => p.variant === variant).sort((a, b) => a.size - b.size);
      if (!own.length) continue;
      const path = own.map((p, i) => `${i ? 'L' : 'M'}${x(p.size).toFixed(1)},${y(p.accuracy).toFixed(1)}`).join(' ');
      children.push(svg('path', { d: path }, `clf-line clf-${variant}`));
      for (const p of own) {
        const dot = svg('circle', { cx: x(p.size), cy: y(p.accuracy), r: 3.5 }, `clf-dot clf-${variant}`);
        const title = svg('title', {});
        title.textContent = `${VARIANT_LABELS[variant]}, ${p.size.toLocaleString()} examples: ${percent(p.accuracy)} accuracy, macro-F1 ${p.macroF1.toFixed(3)}`;
        dot.append(title);
        children.push(dot);
      }
    }
    root.replaceChildren(...children);
  }
}

function describeCurve(points: readonly CurvePoint[]): string {
  if (!points.length) return 'Transfer-gain curve: test accuracy against labelled training examples; no points yet.';
  const parts = VARIANT_ORDER.map((v) => {
    const own = points.filter((p) => p.variant === v).sort((a, b) => a.size - b.size);
    return own.length ? `${VARIANT_LABELS[v]}: ${own.map((p) => `${p.size} → ${percent(p.accuracy)}`).join(', ')}` : '';
  }).filter(Boolean);
  return `Transfer-gain curve, test accuracy against labelled training examples (log scale). ${parts.join('; ')}.`;
}
