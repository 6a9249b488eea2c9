// DOM helpers shared by the panel's sections. Text always goes in as textContent, never as HTML.

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function headerRow(labels: string[]): HTMLTableSectionElement {
  const head = element('thead');
  const row = element('tr');
  for (const label of labels) {
    const th = element('th', '', label);
    th.setAttribute('scope', 'col');
    row.append(th);
  }
  head.append(row);
  return head;
}

/**
 * A redraw that runs once on the next animation frame however often it is asked for: bursts of
 * updates (a replay after the panel reopens, a resize) cost one frame.
 */
export function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

/**
 * Sizes a canvas's backing store to its CSS size × the device pixel ratio, and returns a cleared
 * context drawing in CSS pixels; undefined when the canvas has no 2-D context.
 */
export function prepareCanvas(canvas: HTMLCanvasElement, fallbackHeight: number): { ctx: CanvasRenderingContext2D; width: number; height: number } | undefined {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600;
  const height = canvas.clientHeight || fallbackHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}
