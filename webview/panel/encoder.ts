// The panel's Encoder section: Inspect a word in context with a pretrained encoder. Shows how alike
// its occurrences are, each one's nearest tokens in context, and a Transformer's attention from it as
// a table per layer (a row per head, a column per token, the cell shaded by the weight), which screen
// readers read as numbers. Markup in encoderHtml.ts; posts only 'inspectEncoder' with an encoder name.
import type { HostToPanel, Inspection, PanelToHost } from '../../src/shared/protocol';
import { $, element, headerRow } from './dom';

type EncoderMessage = Extract<HostToPanel, { type: 'encoderList' | 'inspection' }>;

export class EncoderView {
  private readonly form = $<HTMLFormElement>('encoder-form');
  private readonly select = $<HTMLSelectElement>('encoder-name');
  private readonly word = $<HTMLInputElement>('encoder-word');
  private readonly texts = $<HTMLTextAreaElement>('encoder-texts');
  private readonly button = $<HTMLButtonElement>('encoder-inspect');
  private readonly status = $('encoder-status');
  private readonly error = $('encoder-error');
  private readonly results = $('encoder-results');
  private latest = 0;

  constructor(private readonly post: (message: PanelToHost) => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.inspect();
    });
    this.button.addEventListener('click', () => this.inspect());
    this.word.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.inspect();
      }
    });
  }

  handle(message: EncoderMessage): void {
    if (message.type === 'encoderList') {
      const current = this.select.value;
      this.select.replaceChildren(...message.names.map((name) => Object.assign(element('option', '', name), { value: name })));
      if (message.names.includes(current)) this.select.value = current;
      const none = message.names.length === 0;
      for (const control of [this.select, this.word, this.texts, this.button]) control.disabled = none;
      if (!none && this.status.dataset.state !== 'done') this.status.textContent = `${message.names.length} encoder${message.names.length === 1 ? '' : 's'} in .transfer-lab/encoders. Type a word that occurs in the sentences and press Inspect.`;
      return;
    }
    if (message.requestId !== this.latest) return;
    this.button.disabled = false;
    this.error.textContent = message.error ?? '';
    if (message.inspection) this.show(message.encoder, message.inspection);
    else this.status.textContent = 'Inspect failed.';
  }

  private inspect(): void {
    const word = this.word.value.trim();
    const texts = this.texts.value.split('\n').map((t) => t.trim()).filter(Boolean).slice(0, 8);
    if (!word || texts.length === 0 || !this.select.value) {
      this.error.textContent = !this.select.value ? 'Pretrain an encoder first.' : !word ? 'Type the word to look at.' : 'Type at least one sentence.';
      return;
    }
    this.error.textContent = '';
    this.latest++;
    this.button.disabled = true;
    this.status.textContent = `Reading ${texts.length} sentence${texts.length === 1 ? '' : 's'} with ${this.select.value}…`;
    this.post({ type: 'inspectEncoder', requestId: this.latest, encoder: this.select.value, texts, word });
  }

  private show(encoder: string, inspection: Inspection): void {
    const { word, pieces, tokens, occurrences, similarities } = inspection;
    this.status.dataset.state = 'done';
    this.status.textContent = `${encoder}: "${word}" is ${pieces.length === 1 ? 'one token' : `${pieces.length} tokens (${pieces.join(' ')})`}, found ${occurrences.length} time${occurrences.length === 1 ? '' : 's'}.`;
    const blocks: HTMLElement[] = [];
    if (similarities.length > 0) {
      const list = element('ul', 'encoder-similarities');
      list.setAttribute('aria-label', `How alike "${word}" is in the different sentences`);
      for (const s of similarities) {
        list.append(element('li', '', `sentence ${occurrences[s.a - 1].text} and sentence ${occurrences[s.b - 1].text}: cosine ${s.cosine.toFixed(3)}`));
      }
      blocks.push(element('h3', '', `"${word}" in different contexts`), list);
    }
    for (const occurrence of occurrences) {
      const block = element('div', 'encoder-occurrence');
      // The sentence as words again: continuation pieces ("##ut") glued back on.
      const sentence = tokens[occurrence.text - 1].filter((t) => !t.startsWith('[')).join(' ').replace(/ ##/g, '');
      block.append(element('h3', '', `Sentence ${occurrence.text}: ${sentence}`));
      block.append(element('p', 'muted', `Nearest tokens in context: ${occurrence.nearest.map((n) => `${n.token} (sentence ${n.text}, ${n.similarity.toFixed(2)})`).join(', ')}`));
      if (occurrence.attention) block.append(attentionTable(word, tokens[occurrence.text - 1], occurrence.attention));
      blocks.push(block);
    }
    this.results.replaceChildren(...blocks);
  }
}

/** Rows: layer × head; columns: the sentence's tokens; a cell's shade is its attention weight. */
function attentionTable(word: string, tokens: string[], attention: number[][][]): HTMLTableElement {
  const table = element('table', 'eval-table attention-table');
  table.setAttribute('aria-label', `Attention from "${word}" to each token, per layer and head`);
  table.append(headerRow(['', ...tokens]));
  const body = element('tbody');
  attention.forEach((layer, l) =>
    layer.forEach((weights, h) => {
      const row = element('tr');
      const name = element('th', '', `layer ${l + 1}, head ${h + 1}`);
      name.setAttribute('scope', 'row');
      row.append(name);
      const max = Math.max(...weights, 1e-9);
      weights.forEach((w) => {
        const cell = element('td', 'attention-cell', w.toFixed(2));
        cell.style.setProperty('--weight', (w / max).toFixed(3));
        row.append(cell);
      });
      body.append(row);
    }),
  );
  table.append(body);
  return table;
}
