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
