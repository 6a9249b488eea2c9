// The panel's "Map" section: a model's most frequent words projected to 2-D (PCA or UMAP, computed by
// the host's projection worker) as a canvas scatter plot. Wheel zooms around the cursor, dragging
// pans, hovering labels the nearest point (a uniform grid keeps that O(1) at 10k+ points), a click
// centres a point, the search box highlights and centres a word. Redraws on requestAnimationFrame only
// when something changed; all points go in one path of small rects, and only the ~50 most frequent
// words (the first rows) get permanent labels. The markup is MAP_SECTION_HTML (mapHtml.ts). Posts only
// MapPanelRequest: the chosen method and point count, and export.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { formatSeconds } from './chart';
import { $ } from './dom';

export { MAP_SECTION_HTML } from './mapHtml';

export type MapMethod = 'pca' | 'umap';

/** Webview → host. */
export type MapPanelRequest = { type: 'drawMap'; method: MapMethod; points: number } | { type: 'exportMap' };

/** Host → webview. coords: words.length × 2 numbers, row-major; the first rows are the most frequent words. */
export type MapPanelMessage =
  | { type: 'mapState'; state: 'running' | 'failed' | 'cancelled'; message: string; fraction?: number }
  | { type: 'map'; words: string[]; coords: number[]; method: MapMethod; elapsedMs: number; modelName: string };

export const MAP_METHOD_LABELS: Record<MapMethod, string> = { pca: 'PCA', umap: 'UMAP' };
export const MAP_POINT_CHOICES = [1000, 5000, 10000] as const;
/** The most frequent words, labelled on the map at all times. */
export const MAP_ALWAYS_LABELLED = 50;
/** How close (CSS px) the pointer must be to a point to hover it. */
const HOVER_RADIUS = 12;
/** Average points per grid cell of the hover index. */
const POINTS_PER_CELL = 4;
const MAX_ZOOM = 5000;
const MIN_ZOOM = 0.25;

interface Colours {
  point: string;
  label: string;
  muted: string;
  highlight: string;
  hover: string;
  background: string;
  border: string;
  /** A canvas font: CSS variables do not work there. */
  font: string;
}

export class MapView {
  private readonly status = $('map-status');
  private readonly methodSelect = $<HTMLSelectElement>('map-method');
  private readonly pointsSelect = $<HTMLSelectElement>('map-points');
  private readonly exportButton = $<HTMLButtonElement>('map-export');
  private readonly searchField = $<HTMLInputElement>('map-search');
  private readonly canvas = $<HTMLCanvasElement>('map-canvas');
  private readonly ctx = this.canvas.getContext('2d')!;

  private words: string[] = [];
  private index = new Map<string, number>();
  private xs = new Float32Array(0);
  private ys = new Float32Array(0);
  private n = 0;
  private method: MapMethod = 'pca';
  private modelName = '';

  // Data bounds and the hover index: a uniform grid over them, points sorted by cell.
  private minX = 0;
  private minY = 0;
  private maxX = 1;
  private maxY = 1;
  private gridSize = 1;
  private cellW = 1;
  private cellH = 1;
  private cellStart = new Int32Array(2);
  private cellItems = new Int32Array(0);

  // The view: data point (cx, cy) at the canvas centre, `scale` CSS px per data unit.
  private cx = 0;
  private cy = 0;
  private scale = 1;
  private fitScale = 1;
  private width = 0;
  private height = 0;
  private dpr = 1;

  private hover = -1;
  private highlight = -1;
  private drag: { id: number; startX: number; startY: number; lastX: number; lastY: number; moved: boolean } | undefined;
  private framePending = false;
  private frames = 0;
  private colours: Colours = readColours();

  constructor(private readonly post: (message: MapPanelRequest) => void) {
    $('map-draw').addEventListener('click', () => {
      const points = Number(this.pointsSelect.value);
      const method = this.methodSelect.value === 'umap' ? 'umap' : 'pca';
      post({ type: 'drawMap', method, points: Number.isFinite(points) && points > 0 ? points : MAP_POINT_CHOICES[1] });
    });
    this.exportButton.addEventListener('click', () => {
      if (this.n > 0) post({ type: 'exportMap' });
    });
    this.setExportable(false);

    const search = (event: Event) => {
      event.preventDefault();
      this.search(String(this.searchField.value ?? '').trim());
    };
    $('map-search-form').addEventListener('submit', search);
    this.searchField.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') search(event);
      else if ((event as KeyboardEvent).key === 'Escape') {
        this.searchField.value = '';
        this.search('');
      }
    });

    const c = this.canvas;
    c.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    c.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    c.addEventListener('pointermove', (e) => this.onPointerMove(e));
    c.addEventListener('pointerup', (e) => this.onPointerUp(e));
    c.addEventListener('pointercancel', () => (this.drag = undefined));
    c.addEventListener('pointerleave', () => {
      if (!this.drag) this.setHover(-1);
    });
    c.addEventListener('dblclick', () => this.fit());
    c.addEventListener('keydown', (e) => this.onKey(e));

    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.resize()).observe(c);
    window.addEventListener('resize', () => this.resize());
    // VS Code swaps the theme's variables on the html element and its class on the body.
    const retheme = new MutationObserver(() => {
      this.colours = readColours();
      this.invalidate();
    });
    retheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    if (document.body) retheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.resize();
  }

  handle(message: MapPanelMessage): void {
    switch (message.type) {
      case 'mapState': {
        const percent = message.state === 'running' && message.fraction !== undefined && Number.isFinite(message.fraction) ? ` ${Math.round(Math.min(1, Math.max(0, message.fraction)) * 100)}%` : '';
        this.status.textContent = message.message + percent;
        this.status.dataset.status = message.state;
        break;
      }
      case 'map':
        this.show(message);
        break;
    }
  }

  /** Where `word` is drawn, in CSS px from the canvas's top-left corner (for tests and tools). */
  screenPosition(word: string): { x: number; y: number } | undefined {
    const i = this.index.get(word);
    if (i === undefined) return undefined;
    return { x: this.toScreenX(this.xs[i]), y: this.toScreenY(this.ys[i]) };
  }

  // ---------- the data ----------

  private show(message: Extract<MapPanelMessage, { type: 'map' }>): void {
    const { words, coords } = message;
    if (!Array.isArray(words) || !Array.isArray(coords) || coords.length !== words.length * 2) {
      this.status.textContent = `The map could not be drawn: ${Array.isArray(words) ? words.length : 0} words but ${Array.isArray(coords) ? coords.length : 0} coordinates.`;
      this.status.dataset.status = 'failed';
      return;
    }
    const highlighted = this.highlight >= 0 ? this.words[this.highlight] : undefined;
    const n = words.length;
    this.words = words;
    this.n = n;
    this.method = message.method;
    this.modelName = message.modelName;
    this.xs = new Float32Array(n);
    this.ys = new Float32Array(n);
    this.index = new Map();
    for (let i = 0; i < n; i++) {
      const x = Number(coords[i * 2]);
      const y = Number(coords[i * 2 + 1]);
      this.xs[i] = Number.isFinite(x) ? x : 0;
      this.ys[i] = Number.isFinite(y) ? y : 0;
      if (!this.index.has(words[i])) this.index.set(words[i], i);
    }
    this.buildGrid();
    this.hover = -1;
    this.highlight = highlighted !== undefined ? (this.index.get(highlighted) ?? -1) : -1;
    this.fit();
    if (this.highlight >= 0) this.centreOn(this.highlight, false);

    const label = MAP_METHOD_LABELS[message.method] ?? String(message.method);
    this.status.textContent = `${label} of the ${n.toLocaleString('en-US')} most frequent words of ${message.modelName}, computed in ${formatSeconds(message.elapsedMs / 1000)}.`;
    this.status.dataset.status = 'done';
    const top = words.slice(0, 12).join(', ');
    this.canvas.setAttribute('aria-label', `Map of the ${n.toLocaleString('en-US')} most frequent words of ${message.modelName} by ${label}. The most frequent: ${top}${n > 12 ? ', …' : ''}. Use the search box to find a word.`);
    this.canvas.dataset.method = message.method;
    this.setExportable(n > 0);
  }

  private setExportable(on: boolean): void {
    this.exportButton.disabled = !on;
    this.exportButton.setAttribute('aria-disabled', String(!on));
  }

  private buildGrid(): void {
    const { n, xs, ys } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      if (xs[i] < minX) minX = xs[i];
      if (xs[i] > maxX) maxX = xs[i];
      if (ys[i] < minY) minY = ys[i];
      if (ys[i] > maxY) maxY = ys[i];
    }
    if (!n) [minX, minY, maxX, maxY] = [0, 0, 1, 1];
    if (maxX - minX < 1e-9) [minX, maxX] = [minX - 0.5, maxX + 0.5];
    if (maxY - minY < 1e-9) [minY, maxY] = [minY - 0.5, maxY + 0.5];
    Object.assign(this, { minX, minY, maxX, maxY });
    const g = Math.max(1, Math.ceil(Math.sqrt(n / POINTS_PER_CELL)));
    this.gridSize = g;
    this.cellW = (maxX - minX) / g;
    this.cellH = (maxY - minY) / g;
    // Counting sort of the points by cell.
    const cellOf = new Int32Array(n);
    const start = new Int32Array(g * g + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellY(ys[i]) * g + this.cellX(xs[i]);
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < g * g; c++) start[c + 1] += start[c];
    const fill = start.slice(0, g * g);
    const items = new Int32Array(n);
    for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
    this.cellStart = start;
    this.cellItems = items;
  }

  private cellX(x: number): number {
    return Math.min(this.gridSize - 1, Math.max(0, Math.floor((x - this.minX) / this.cellW)));
  }

  private cellY(y: number): number {
    return Math.min(this.gridSize - 1, Math.max(0, Math.floor((y - this.minY) / this.cellH)));
  }

  /** The point nearest to a screen position within `radius` CSS px, or -1. */
  private nearest(sx: number, sy: number, radius = HOVER_RADIUS): number {
    if (!this.n) return -1;
    const x = this.toDataX(sx);
    const y = this.toDataY(sy);
    const r = radius / this.scale;
    const x0 = this.cellX(x - r);
    const x1 = this.cellX(x + r);
    const y0 = this.cellY(y - r);
    const y1 = this.cellY(y + r);
    let best = -1;
    let bestD = radius * radius;
    for (let cy = y0; cy <= y1; cy++) {
      for (let cx = x0; cx <= x1; cx++) {
        const c = cy * this.gridSize + cx;
        for (let k = this.cellStart[c]; k < this.cellStart[c + 1]; k++) {
          const i = this.cellItems[k];
          const dx = (this.xs[i] - x) * this.scale;
          const dy = (this.ys[i] - y) * this.scale;
          const d = dx * dx + dy * dy;
          if (d < bestD || (d === bestD && best >= 0 && i < best)) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  // ---------- the view ----------

  private toScreenX(x: number): number {
    return this.width / 2 + (x - this.cx) * this.scale;
  }
  private toScreenY(y: number): number {
    return this.height / 2 - (y - this.cy) * this.scale;
  }
  private toDataX(sx: number): number {
    return this.cx + (sx - this.width / 2) / this.scale;
  }
  private toDataY(sy: number): number {
    return this.cy - (sy - this.height / 2) / this.scale;
  }

  private resize(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    const first = this.width === 0 || this.height === 0;
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    const oldFit = this.fitScale;
    this.fitScale = this.computeFitScale();
    if (first) this.fit();
    else {
      this.scale *= this.fitScale / oldFit; // keep the zoom level relative to the fitted view
      this.invalidate();
    }
  }

  private computeFitScale(): number {
    const margin = 24;
    const w = Math.max(1, this.width - 2 * margin);
    const h = Math.max(1, this.height - 2 * margin);
    return Math.min(w / (this.maxX - this.minX), h / (this.maxY - this.minY));
  }

  /** Shows every point. */
  fit(): void {
    this.fitScale = this.computeFitScale();
    this.scale = this.fitScale;
    this.cx = (this.minX + this.maxX) / 2;
    this.cy = (this.minY + this.maxY) / 2;
    this.invalidate();
  }

  private zoomAt(sx: number, sy: number, factor: number): void {
    const next = Math.min(this.fitScale * MAX_ZOOM, Math.max(this.fitScale * MIN_ZOOM, this.scale * factor));
    // Keep the data point under (sx, sy) where it is.
    const x = this.toDataX(sx);
    const y = this.toDataY(sy);
    this.scale = next;
    this.cx = x - (sx - this.width / 2) / next;
    this.cy = y + (sy - this.height / 2) / next;
    this.invalidate();
  }

  private panBy(dx: number, dy: number): void {
    this.cx -= dx / this.scale;
    this.cy += dy / this.scale;
    this.invalidate();
  }

  private centreOn(i: number, zoomIn: boolean): void {
    this.cx = this.xs[i];
    this.cy = this.ys[i];
    if (zoomIn) this.scale = Math.max(this.scale, this.fitScale * 4);
    this.invalidate();
  }

  private search(query: string): void {
    if (!query) {
      this.highlight = -1;
      this.canvas.dataset.highlight = '';
      this.invalidate();
      return;
    }
    let i = this.index.get(query) ?? -1;
    if (i < 0) {
      const lower = query.toLowerCase();
      i = this.words.findIndex((w) => w.toLowerCase() === lower);
    }
    this.highlight = i;
    this.canvas.dataset.highlight = i >= 0 ? this.words[i] : '';
    if (i >= 0) {
      this.centreOn(i, true);
      this.status.textContent = `"${this.words[i]}" is word ${(i + 1).toLocaleString('en-US')} by frequency; it is highlighted and centred.`;
    } else {
      this.status.textContent = this.n ? `"${query}" is not among the ${this.n.toLocaleString('en-US')} words on the map.` : 'Draw a map first.';
      this.invalidate();
    }
    this.status.dataset.status = i >= 0 ? 'found' : 'not-found';
  }

  private setHover(i: number): void {
    if (i === this.hover) return;
    this.hover = i;
    this.canvas.dataset.hover = i >= 0 ? this.words[i] : '';
    this.canvas.title = i >= 0 ? this.words[i] : '';
    this.invalidate();
  }

  // ---------- input ----------

  private offset(e: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  private onWheel(e: WheelEvent): void {
    if (!this.n) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? this.height : 1;
    const { x, y } = this.offset(e);
    this.zoomAt(x, y, Math.exp(-e.deltaY * unit * 0.002));
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.n) return;
    const { x, y } = this.offset(e);
    this.drag = { id: e.pointerId, startX: x, startY: y, lastX: x, lastY: y, moved: false };
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // a synthetic event's pointer cannot be captured; dragging still works inside the canvas
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const { x, y } = this.offset(e);
    const drag = this.drag;
    if (drag && drag.id === e.pointerId) {
      if (!drag.moved && Math.hypot(x - drag.startX, y - drag.startY) > 3) {
        drag.moved = true;
        this.canvas.classList.add('map-dragging');
        this.setHover(-1);
      }
      if (drag.moved) this.panBy(x - drag.lastX, y - drag.lastY);
      drag.lastX = x;
      drag.lastY = y;
      return;
    }
    this.setHover(this.nearest(x, y));
  }

  private onPointerUp(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.id !== e.pointerId) return;
    this.drag = undefined;
    this.canvas.classList.remove('map-dragging');
    if (!drag.moved) {
      const { x, y } = this.offset(e);
      const i = this.nearest(x, y);
      if (i >= 0) {
        this.highlight = i;
        this.canvas.dataset.highlight = this.words[i];
        this.centreOn(i, false);
      }
    }
  }

  private onKey(e: KeyboardEvent): void {
    const step = 40;
    const handled: Record<string, () => void> = {
      ArrowLeft: () => this.panBy(step, 0),
      ArrowRight: () => this.panBy(-step, 0),
      ArrowUp: () => this.panBy(0, step),
      ArrowDown: () => this.panBy(0, -step),
      '+': () => this.zoomAt(this.width / 2, this.height / 2, 1.25),
      '=': () => this.zoomAt(this.width / 2, this.height / 2, 1.25),
      '-': () => this.zoomAt(this.width / 2, this.height / 2, 0.8),
      '0': () => this.fit(),
    };
    const action = handled[e.key];
    if (action && this.n) {
      e.preventDefault();
      action();
    }
  }

  // ---------- drawing ----------

  private invalidate(): void {
    this.canvas.dataset.scale = String(this.scale / this.fitScale);
    if (this.framePending) return;
    this.framePending = true;
    requestAnimationFrame(() => {
      this.framePending = false;
      this.draw();
    });
  }

  private draw(): void {
    const started = performance.now();
    const { ctx, width, height, n, xs, ys, colours } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (n === 0 || width === 0 || height === 0) {
      this.canvas.dataset.points = '0';
      return;
    }

    // All points in one path; off-screen ones skipped.
    const size = n > 5000 ? 2 : n > 1500 ? 2.5 : 3;
    const half = size / 2;
    const w2 = width / 2 - this.cx * this.scale;
    const h2 = height / 2 + this.cy * this.scale;
    const s = this.scale;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const sx = w2 + xs[i] * s;
      const sy = h2 - ys[i] * s;
      if (sx < -half || sy < -half || sx > width + half || sy > height + half) continue;
      ctx.rect(sx - half, sy - half, size, size);
    }
    ctx.globalAlpha = 0.7;
    ctx.fillStyle = colours.point;
    ctx.fill();
    ctx.globalAlpha = 1;

    // Labels of the most frequent words, skipping any that would overlap one already placed.
    ctx.font = colours.font;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = colours.label;
    const placed: [number, number, number, number][] = [];
    const labelled = Math.min(MAP_ALWAYS_LABELLED, n);
    for (let i = 0; i < labelled; i++) {
      if (i === this.highlight || i === this.hover) continue;
      const sx = w2 + xs[i] * s + 4;
      const sy = h2 - ys[i] * s;
      if (sx > width || sy < -8 || sy > height + 8) continue;
      const tw = ctx.measureText(this.words[i]).width;
      if (sx + tw < 0) continue;
      const box: [number, number, number, number] = [sx, sy - 6, sx + tw, sy + 6];
      if (placed.some((p) => box[0] < p[2] && box[2] > p[0] && box[1] < p[3] && box[3] > p[1])) continue;
      placed.push(box);
      ctx.fillText(this.words[i], sx, sy);
    }

    if (this.highlight >= 0) this.drawMarked(this.highlight, colours.highlight, 6);
    if (this.hover >= 0 && this.hover !== this.highlight) this.drawMarked(this.hover, colours.hover, 5);

    this.frames++;
    this.canvas.dataset.points = String(n);
    this.canvas.dataset.frames = String(this.frames);
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(2);
  }

  /** A ringed point with its word on a background box. */
  private drawMarked(i: number, colour: string, radius: number): void {
    const { ctx, colours } = this;
    const sx = this.toScreenX(this.xs[i]);
    const sy = this.toScreenY(this.ys[i]);
    ctx.beginPath();
    ctx.arc(sx, sy, radius, 0, Math.PI * 2);
    ctx.lineWidth = 2;
    ctx.strokeStyle = colour;
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(sx, sy, 2, 0, Math.PI * 2);
    ctx.fillStyle = colour;
    ctx.fill();

    ctx.font = `600 ${colours.font}`;
    ctx.textBaseline = 'middle';
    const word = this.words[i];
    const tw = ctx.measureText(word).width;
    let lx = sx + radius + 4;
    if (lx + tw + 6 > this.width) lx = sx - radius - 4 - tw - 6; // flip to the left at the right edge
    const ly = sy;
    ctx.fillStyle = colours.background;
    ctx.globalAlpha = 0.9;
    ctx.fillRect(lx, ly - 9, tw + 6, 18);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colours.border;
    ctx.lineWidth = 1;
    ctx.strokeRect(lx + 0.5, ly - 8.5, tw + 5, 17);
    ctx.fillStyle = colours.label;
    ctx.fillText(word, lx + 3, ly);
  }
}

function readColours(): Colours {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-editor-foreground', v('--vscode-foreground', '#cccccc'));
  return {
    point: v('--vscode-charts-blue', '#3794ff'),
    label: foreground,
    muted: v('--vscode-descriptionForeground', foreground),
    highlight: v('--vscode-charts-orange', '#d18616'),
    hover: foreground,
    background: v('--vscode-editorWidget-background', v('--vscode-editor-background', '#1f1f1f')),
    border: v('--vscode-editorWidget-border', 'rgba(128,128,128,0.5)'),
    font: `11px ${v('--vscode-font-family', 'system-ui, sans-serif')}`,
  };
}
