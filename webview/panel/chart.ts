// A small two-axis line chart on a canvas: training loss (left axis) and words per second (right
// axis) against elapsed time. Drawn by hand to stay tiny and CSP-clean; colours come from the
// VS Code theme so it reads in light, dark and high-contrast themes alike.

export interface ChartPoint {
  seconds: number;
  loss: number;
  wordsPerSecond: number;
}

export class TrainingChart {
  private points: ChartPoint[] = [];
  private pending = false;

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

  /** Coalesces bursts of points (a replay after the panel reopens) into one frame. */
  private requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600;
    const height = canvas.clientHeight || 240;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

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

    const maxSeconds = Math.max(1, ...points.map((p) => p.seconds));
    const lossValues = points.map((p) => p.loss);
    const lossMin = points.length ? Math.min(...lossValues) : 0;
    const lossMax = points.length ? Math.max(...lossValues) : 1;
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
      if (points.length) {
        const lossLabel = lossMax - ((lossSpan * 1.1) * i) / 4 + lossSpan * 0.05;
        ctx.textAlign = 'right';
        ctx.fillText(lossLabel.toFixed(3), pad.left - 6, yy);
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
    if (!points.length) {
      ctx.textBaseline = 'middle';
      ctx.fillText('The loss and speed of a training run appear here as it trains.', pad.left + plotW / 2, pad.top + plotH / 2);
      return;
    }
    this.line(ctx, points.map((p) => [x(p.seconds), yRate(p.wordsPerSecond)]), rateColor, [4, 3]);
    this.line(ctx, points.map((p) => [x(p.seconds), yLoss(p.loss)]), lossColor, []);
  }

  private line(ctx: CanvasRenderingContext2D, xy: [number, number][], strokeStyle: string, dash: number[]): void {
    ctx.save();
    ctx.strokeStyle = strokeStyle;
    ctx.lineWidth = 2;
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
