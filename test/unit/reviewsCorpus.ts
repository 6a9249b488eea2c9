// Movie-review sentences (../shared/data/classification/mr) as a text corpus, for the tests that
// continue GloVe's vectors on them.
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { TextCorpus } from '../../src/core/corpus';

export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

export class TextOf implements TextCorpus {
  constructor(private readonly text: string) {}
  async *chunks(): AsyncGenerator<string> {
    yield this.text;
  }
}

export const reviews = () =>
  new TextOf(
    readFileSync(path.join(SHARED_DATA, 'classification/mr/mr.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { text: string }).text)
      .join('\n'),
  );
