// Labelled examples as fastText's supervised input, so the fastText CLI can be run on exactly the
// splits this extension trains on and the two compared.
import type { LabelledExample } from './labelledData';

/**
 * One `__label__<label> <text>` line per example, without line endings (join with '\n'). fastText
 * splits on whitespace, so whitespace in a label becomes `_`, and a text's newlines (which would end
 * the line) become spaces. `__label__` inside a text becomes `_label_`, since fastText would otherwise
 * take that word as a second label.
 */
export function toFastTextLines(examples: readonly LabelledExample[]): string[] {
  return examples.map(({ label, text }) => {
    const safeLabel = label.trim().replace(/\s+/g, '_');
    const flatText = text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').replace(/__label__/g, '_label_').trim();
    return `__label__${safeLabel} ${flatText}`;
  });
}
