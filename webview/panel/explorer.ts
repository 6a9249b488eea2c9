// The Nearest neighbours section: the search box (a word, word arithmetic, an analogy, or a comma
// list for the odd one out) with completion from the model's vocabulary, the answer with similarity
// bars, and optionally the same search answered by a second model side by side, shared words marked.
// Markup in explorerHtml.ts; the host answers 'query', 'complete' and 'setSecondModel'.
import { describeAlgorithm } from '../../src/shared/labels';
import type { HostToPanel, ModelSummary, Neighbour, PanelToHost, SecondAnswer } from '../../src/shared/protocol';
import { $, element } from './dom';

type ExplorerMessage = Extract<HostToPanel, { type: 'model' | 'neighbours' | 'search' | 'completions' | 'modelList' }>;

const K = 10;
const MAX_SUGGESTIONS = 8;
/** Long enough to skip the keystrokes of a fast typist, short enough to feel immediate. */
const COMPLETION_DELAY_MS = 60;

/** The word being typed at the caret: after the last space, operator, colon or comma (and a leading minus). */
export function tokenAt(text: string, caret: number): { start: number; prefix: string } {
  const before = text.slice(0, caret);
  const match = /(?:^|[\s+−:,])-?([^\s+−:,]*)$/.exec(before);
  const prefix = match ? match[1] : '';
  return { start: caret - prefix.length, prefix };
}

export class ExplorerView {
  private readonly form = $<HTMLFormElement>('query-form');
  private readonly field = $<HTMLInputElement>('query');
  private readonly suggestions = $<HTMLUListElement>('query-suggestions');
  private readonly searchButton = $<HTMLButtonElement>('search');
  private readonly secondSelect = $<HTMLSelectElement>('second-model');
  private readonly examples = $('examples');
  private readonly error = $('query-error');
  private readonly note = $('query-note');
  private readonly caption = $('neighbours-caption');
  private readonly list = $('neighbours');
  private readonly firstHeading = $('first-heading');
  private readonly secondColumn = $('second-column');
  private readonly secondHeading = $('second-heading');
  private readonly secondError = $('second-error');
  private readonly secondList = $('second-neighbours');
  private latestQuery = 0;
  private latestCompletion = 0;
  private completionTimer: ReturnType<typeof setTimeout> | undefined;
  private active = -1;
  private words: string[] = [];
  private modelName: string | undefined;
  private lastSearch: string | undefined;

  constructor(private readonly post: (message: PanelToHost) => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search();
    });
    this.searchButton.addEventListener('click', () => this.search());
    this.field.addEventListener('input', () => this.scheduleCompletion());
    this.field.addEventListener('keydown', (event) => this.onKey(event));
    this.field.addEventListener('blur', () => this.closeSuggestions());
    // mousedown, not click: the field keeps focus, so the blur above does not close the list first.
    this.suggestions.addEventListener('mousedown', (event) => {
      const option = (event.target as HTMLElement).closest<HTMLElement>('[role="option"]');
      if (!option) return;
      event.preventDefault();
      this.accept(Number(option.dataset.index));
    });
    this.secondSelect.addEventListener('change', () => {
      this.post({ type: 'setSecondModel', name: this.secondSelect.value || null });
      if (this.lastSearch) this.search(this.lastSearch);
    });
  }

  handle(message: ExplorerMessage): void {
    switch (message.type) {
      case 'model':
        this.showModel(message.model);
        break;
      case 'neighbours':
        if (message.requestId === this.latestQuery) this.showNeighbours(message.word, message.results, message.error, message.note, message.second);
        break;
      case 'search':
        this.field.value = message.text;
        this.search();
        this.field.scrollIntoView({ block: 'center' });
        break;
      case 'completions':
        if (message.requestId === this.latestCompletion) this.showSuggestions(message.words, message.prefix);
        break;
      case 'modelList':
        this.showModelList(message.names, message.second);
        break;
    }
  }

  search(text = this.field.value): void {
    const query = (text ?? '').trim();
    if (!query) return;
    this.closeSuggestions();
    this.lastSearch = query;
    this.latestQuery++;
    this.post({ type: 'query', requestId: this.latestQuery, word: query, k: K });
  }

  // ---------- completion ----------

  private scheduleCompletion(): void {
    clearTimeout(this.completionTimer);
    const { prefix } = tokenAt(this.field.value, this.field.selectionStart ?? this.field.value.length);
    if (!prefix) {
      this.closeSuggestions();
      return;
    }
    this.completionTimer = setTimeout(() => {
      this.latestCompletion++;
      this.post({ type: 'complete', requestId: this.latestCompletion, prefix });
    }, COMPLETION_DELAY_MS);
  }

  private showSuggestions(words: string[], prefix: string): void {
    const current = tokenAt(this.field.value, this.field.selectionStart ?? this.field.value.length).prefix;
    // An answer for what is no longer typed, or one that only repeats it, shows nothing.
    const shown = words.slice(0, MAX_SUGGESTIONS);
    if (current.toLowerCase() !== prefix.toLowerCase() || shown.length === 0 || (shown.length === 1 && shown[0] === current) || document.activeElement !== this.field) {
      this.closeSuggestions();
      return;
    }
    this.words = shown;
    this.active = -1;
    this.suggestions.replaceChildren(
      ...shown.map((word, i) => {
        const li = element('li', 'suggestion');
        li.id = `suggestion-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.index = String(i);
        li.append(element('span', 'typed', word.slice(0, prefix.length)), word.slice(prefix.length));
        return li;
      }),
    );
    this.suggestions.hidden = false;
    this.field.setAttribute('aria-expanded', 'true');
    this.field.removeAttribute('aria-activedescendant');
  }

  private closeSuggestions(): void {
    clearTimeout(this.completionTimer);
    this.latestCompletion++;
    this.suggestions.hidden = true;
    this.suggestions.replaceChildren();
    this.words = [];
    this.active = -1;
    this.field.setAttribute('aria-expanded', 'false');
    this.field.removeAttribute('aria-activedescendant');
  }

  private highlight(index: number): void {
    this.active = index;
    for (const option of Array.from(this.suggestions.children)) option.setAttribute('aria-selected', String(option.id === `suggestion-${index}`));
    if (index >= 0) this.field.setAttribute('aria-activedescendant', `suggestion-${index}`);
    else this.field.removeAttribute('aria-activedescendant');
  }

  /** Puts the suggestion in place of the word being typed; a query of one word is searched at once. */
  private accept(index: number): void {
    const word = this.words[index];
    if (word === undefined) return;
    const caret = this.field.selectionStart ?? this.field.value.length;
    const { start } = tokenAt(this.field.value, caret);
    const before = this.field.value.slice(0, start);
    this.field.value = before + word + this.field.value.slice(caret);
    const end = start + word.length;
    this.field.setSelectionRange(end, end);
    this.closeSuggestions();
    if (before.trim() === '') this.search();
  }

  private onKey(event: KeyboardEvent): void {
    const open = !this.suggestions.hidden && this.words.length > 0;
    switch (event.key) {
      case 'ArrowDown':
        if (!open) return;
        event.preventDefault();
        this.highlight((this.active + 1) % this.words.length);
        break;
      case 'ArrowUp':
        if (!open) return;
        event.preventDefault();
        this.highlight(this.active <= 0 ? this.words.length - 1 : this.active - 1);
        break;
      case 'Enter':
        event.preventDefault();
        if (open && this.active >= 0) this.accept(this.active);
        else this.search();
        break;
      case 'Tab':
        if (open && this.active >= 0) {
          event.preventDefault();
          this.accept(this.active);
        }
        break;
      case 'Escape':
        if (open) {
          event.preventDefault();
          event.stopPropagation();
          this.closeSuggestions();
        }
        break;
    }
  }

  // ---------- model, models and answers ----------

  private showModel(model: ModelSummary | undefined): void {
    const enabled = model !== undefined;
    this.modelName = model?.name;
    this.field.disabled = !enabled;
    this.searchButton.disabled = !enabled;
    this.secondSelect.disabled = !enabled || this.secondSelect.options.length <= 1;
    this.field.placeholder = enabled ? 'A word, king - man + woman, man : king :: woman, or a, b, c' : 'Train a model first';
    this.examples.replaceChildren();
    if (!model) return;
    const kind = model.algorithm ? `${describeAlgorithm(model.algorithm, model.mode)} · ` : '';
    const unseen = model.algorithm === 'fasttext' ? ' Words it never saw are built from their character n-grams.' : '';
    this.examples.append(`Model ${model.name}: ${kind}${model.vocabularySize.toLocaleString()} words × ${model.dim}.${unseen} Try: `);
    model.exampleWords.forEach((word, i) => {
      const link = element('a', '', word);
      link.href = '#';
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.field.value = word;
        this.search();
      });
      this.examples.append(...(i > 0 ? [', ', link] : [link]));
    });
  }

  private showModelList(names: string[], second: string | null): void {
    const options = [element('option', '', 'no other model'), ...names.map((name) => element('option', '', name))];
    options[0].value = '';
    names.forEach((name, i) => (options[i + 1].value = name));
    this.secondSelect.replaceChildren(...options);
    this.secondSelect.value = second ?? '';
    this.secondSelect.disabled = this.field.disabled || names.length === 0;
    if (!second) this.secondColumn.hidden = true;
  }

  private showNeighbours(word: string, results: Neighbour[], error?: string, note?: string, second?: SecondAnswer): void {
    this.error.textContent = error ?? '';
    this.note.textContent = note ?? '';
    const oddOneOut = word.startsWith('odd one out:');
    this.caption.textContent = results.length === 0 && !second?.results.length ? '' : oddOneOut ? `${word} (cosine to the mean of them all, least similar first):` : `Nearest to ${word}:`;
    this.list.setAttribute('aria-label', second ? `Nearest neighbours of ${word} in ${this.modelName ?? 'the active model'}` : `Nearest neighbours of ${word}`);
    const shared = second ? new Set(results.map((n) => n.word).filter((w) => second.results.some((m) => m.word === w))) : new Set<string>();
    this.list.replaceChildren(...results.map((n) => neighbourRow(n, shared)));
    this.firstHeading.hidden = !second;
    this.secondColumn.hidden = !second;
    $('explore-results').classList.toggle('with-second', second !== undefined);
    if (!second) return;
    this.firstHeading.textContent = `In ${this.modelName ?? 'the active model'}`;
    this.secondHeading.textContent = `In ${second.model}${shared.size ? ` · ${shared.size} shared` : ''}`;
    this.secondError.textContent = second.error ?? '';
    this.secondList.replaceChildren(...second.results.map((n) => neighbourRow(n, shared)));
  }
}

function neighbourRow(n: Neighbour, shared: Set<string>): HTMLLIElement {
  const li = element('li', shared.has(n.word) ? 'neighbour shared' : 'neighbour');
  const bar = element('span', 'bar');
  const fill = element('span', 'bar-fill');
  fill.style.width = `${Math.max(0, n.similarity) * 100}%`;
  bar.append(fill);
  li.append(element('span', 'word', n.word), bar, element('span', 'similarity', n.similarity.toFixed(3)));
  if (shared.has(n.word)) li.title = 'In both models’ lists';
  return li;
}
