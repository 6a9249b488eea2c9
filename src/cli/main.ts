// `transfer-lab`: the same core as the extension, from a terminal. Subcommand names and flags are a
// public interface (scripts call them): add to them, never rename.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { listCorpusFiles } from '../core/corpus';
import { WORD2VEC_DEFAULTS, resolveWord2VecOptions } from '../core/word2vec';
import { GLOVE_DEFAULTS, resolveGloveOptions } from '../core/glove/glove';
import { writeProjectorTsv } from '../core/formats/projectorTsv';
import { writeWord2Vec } from '../core/formats/word2vecFormat';
import { writeFileAtomic } from '../core/atomicWrite';
import { loadModelVectors, writeModelFolder, sanitizeModelName } from '../core/modelFolder';
import { parseLockSetting, parseLockWords, resolveLockFactors, type LockSetting } from '../core/lockFactors';
import type { TrainerToHost, TrainingParameters, TrainingProgress } from '../shared/protocol';
import { trainFromFiles } from '../trainer/runJob';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint, type TrainingCheckpoint } from '../core/checkpoint';
import { parseArgs, UsageError, type FlagSpec } from './args';
import { runEval, EVAL_USAGE, EVAL_HELP } from './evalCommand';
import { runImport, IMPORT_USAGE, IMPORT_HELP } from './importCommand';
import { runDiff, DIFF_USAGE, DIFF_HELP } from './diffCommand';
import { runClassify, CLASSIFY_USAGE, CLASSIFY_HELP } from './classifyCommand';
import { runPretrain, PRETRAIN_USAGE, PRETRAIN_HELP } from './pretrainCommand';
import { runInspect, INSPECT_USAGE } from './inspectCommand';
import { openVectors } from './openVectors';

const VERSION = '0.1.0';

const HELP = `transfer-lab ${VERSION}: train and query word vectors

Usage:
  transfer-lab train <file-or-folder> --out <path> [options]
  transfer-lab neighbours <model> <word> [-k N]
${EVAL_USAGE}
${IMPORT_USAGE}
${DIFF_USAGE}
${CLASSIFY_USAGE}
${PRETRAIN_USAGE}
${INSPECT_USAGE}
  transfer-lab --help | --version

train: trains word vectors on a text file (plain or .gz) or on every text file under a folder.
--out decides the format:
  *.bin         word2vec binary (gensim: KeyedVectors.load_word2vec_format(path, binary=True))
  *.txt, *.vec  word2vec text
  *.tsv         TensorFlow Embedding Projector: <name>.tsv vectors and <name>.metadata.tsv words
  anything else a model folder (vectors.bin + model.json), as the VS Code extension writes
Options (defaults as gensim's, but skip-gram):
  --algo A         word2vec | fasttext | glove          [${WORD2VEC_DEFAULTS.algorithm}]
  --mode M         sg (skip-gram) | cbow                [${WORD2VEC_DEFAULTS.mode}]
  --hs             hierarchical softmax (use --negative 0 for hs alone)
  --cbow-sum       CBOW: sum the context vectors instead of averaging them
  --dim N          vector size                          [${WORD2VEC_DEFAULTS.dim}]
  --window N       max distance to a context word       [${WORD2VEC_DEFAULTS.window}]
  --negative N     noise words per prediction           [${WORD2VEC_DEFAULTS.negative}]
  --min-count N    drop words seen fewer times          [${WORD2VEC_DEFAULTS.minCount}]
  --max-vocab-size N  bound on distinct words while counting (prunes rare words early)
  --max-final-vocab N keep at most the N most frequent words
  --sample X       down-sampling of frequent words      [${WORD2VEC_DEFAULTS.sample}]
  --alpha X        initial learning rate                [${WORD2VEC_DEFAULTS.alpha}]
  --min-alpha X    final learning rate                  [${WORD2VEC_DEFAULTS.minAlpha}]
  --epochs N       passes over the corpus               [${WORD2VEC_DEFAULTS.epochs}]
  --threads N      training threads; 0 = every core     [${WORD2VEC_DEFAULTS.threads}]
                   1 is the deterministic mode: same seed, same input -> bit-identical vectors
  --seed N         random seed                          [${WORD2VEC_DEFAULTS.seed}]
  --checkpoint D   keep a checkpoint of the run in folder D (word2vec, fasttext); removed when done
  --checkpoint-minutes N  minutes of training between checkpoints      [5]
  --resume         with --checkpoint: go on from the checkpoint in D, with the settings it was
                   started with (the same corpus); one thread ends bit-identical to an unbroken run
  --minn N         fasttext: shortest character n-gram  [${WORD2VEC_DEFAULTS.minn}]
  --maxn N         fasttext: longest character n-gram   [${WORD2VEC_DEFAULTS.maxn}]
  --bucket N       fasttext: hashed n-gram rows         [${WORD2VEC_DEFAULTS.bucket}]
  GloVe (--algo glove) uses --dim --window [${GLOVE_DEFAULTS.window}] --min-count --epochs [${GLOVE_DEFAULTS.epochs}] --seed, --alpha as
  its AdaGrad rate [${GLOVE_DEFAULTS.eta}], and:
  --x-max N        co-occurrence count that gets full weight [${GLOVE_DEFAULTS.xMax}]
  --weight-power X exponent of the weighting below x-max [${GLOVE_DEFAULTS.alpha}]
  --memory-mb N    memory for co-occurrence counts; more spills to temp files [${GLOVE_DEFAULTS.memoryMB}]
  --init M         continue from model or vectors file M: its words keep their vectors as the start,
                   new words that reach --min-count are added; its dim (FastText: n-grams) is used
  --lock L         with --init: none (old vectors learn too) | old (only new words learn) |
                   a factor from 0 (fixed) to 1 (free) for every old vector [none]
  --lock-words F   with --init: a file of "word [factor]" lines; those words get their own factor
                   (default 0, fixed), the other old words the --lock one (gensim's vectors_lockf)
  --no-lowercase   keep the case of the text
  --max-file-mb X  skip files larger than this when scanning a folder [50]
  --json           print the result as one JSON line on stdout
  --quiet          print only errors and the final line

neighbours: prints "word similarity" rows for the k nearest words (cosine) of <word>.
<model> is a model folder or a vectors file (.bin, .txt, .vec, optionally .gz).
  -k N             how many neighbours                  [10]

${EVAL_HELP}
${IMPORT_HELP}
${DIFF_HELP}
${CLASSIFY_HELP}
${PRETRAIN_HELP}
inspect: what an encoder makes of --word in the --text sentences: how alike its occurrences are, each one's
nearest tokens in context, and with --attention (Transformer) where each layer's heads look from it.
`;

const TRAIN_FLAGS: Record<string, FlagSpec> = {
  out: { kind: 'string' },
  checkpoint: { kind: 'string' },
  'checkpoint-minutes': { kind: 'number', min: 0, max: 100000 },
  resume: { kind: 'boolean' },
  dim: { kind: 'int', min: 1, max: 10000 },
  window: { kind: 'int', min: 1, max: 1000 },
  negative: { kind: 'int', min: 1, max: 1000 },
  'min-count': { kind: 'int', min: 1, max: 1e9 },
  sample: { kind: 'number', min: 0, max: 1 },
  alpha: { kind: 'number', min: 1e-9, max: 10 },
  'min-alpha': { kind: 'number', min: 0, max: 10 },
  epochs: { kind: 'int', min: 1, max: 100000 },
  threads: { kind: 'int', min: 0, max: 1024 },
  algo: { kind: 'string' },
  mode: { kind: 'string' },
  hs: { kind: 'boolean' },
  'cbow-sum': { kind: 'boolean' },
  minn: { kind: 'int', min: 1, max: 100 },
  maxn: { kind: 'int', min: 0, max: 100 },
  bucket: { kind: 'int', min: 0, max: 100_000_000 },
  'max-vocab-size': { kind: 'int', min: 1, max: 1e12 },
  'max-final-vocab': { kind: 'int', min: 1, max: 1e12 },
  json: { kind: 'boolean' },
  init: { kind: 'string' },
  lock: { kind: 'string' },
  'lock-words': { kind: 'string' },
  'x-max': { kind: 'number', min: 1e-9, max: 1e12 },
  'weight-power': { kind: 'number', min: 0, max: 10 },
  'memory-mb': { kind: 'int', min: 16, max: 1_000_000 },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  'no-lowercase': { kind: 'boolean' },
  'max-file-mb': { kind: 'number', min: 0.001, max: 1e7 },
  quiet: { kind: 'boolean' },
};

const NEIGHBOUR_FLAGS: Record<string, FlagSpec> = {
  k: { kind: 'int', min: 1, max: 100000 },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  switch (command) {
    case 'train':
      return train(rest);
    case 'neighbours':
    case 'neighbors':
      return neighbours(rest);
    case 'eval':
      return runEval(rest);
    case 'import':
      return runImport(rest);
    case 'diff':
      return runDiff(rest);
    case 'classify':
      return runClassify(rest);
    case 'pretrain':
      return runPretrain(rest);
    case 'inspect':
      return runInspect(rest);
    default:
      throw new UsageError(`unknown command "${command}". Commands: train, neighbours, eval, import, diff, classify. See transfer-lab --help.`);
  }
}

async function train(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, TRAIN_FLAGS);
  if (positional.length !== 1) throw new UsageError('train takes one corpus: a text file or a folder. Example: transfer-lab train notes/ --out notes.bin');
  const out = flags.out as string | undefined;
  if (!out) throw new UsageError('train needs --out <path>: a .bin or .txt file, or a folder name for a model folder.');
  const quiet = flags.quiet === true;
  const corpusPath = path.resolve(positional[0]);
  const files = await listCorpusFiles(corpusPath);
  if (files.length === 0) throw new UsageError(`no text files found under ${corpusPath} (looked for .txt, .md, .rst, .tex, .csv, .jsonl and similar, optionally .gz).`);
  const algorithm = choice('--algo', flags.algo, ['word2vec', 'fasttext', 'glove'] as const, WORD2VEC_DEFAULTS.algorithm);
  const mode = choice('--mode', flags.mode, ['sg', 'cbow'] as const, WORD2VEC_DEFAULTS.mode);
  const glove = algorithm === 'glove';
  // GloVe keeps Stanford's defaults where they differ (window 15, 15 epochs, learning rate 0.05).
  const number = (flag: string, fallback: number, gloveFallback = fallback) => (flags[flag] as number | undefined) ?? (glove ? gloveFallback : fallback);
  const parameters: TrainingParameters = {
    algorithm,
    mode,
    hs: flags.hs === true,
    cbowMean: flags['cbow-sum'] !== true,
    dim: number('dim', WORD2VEC_DEFAULTS.dim),
    window: number('window', WORD2VEC_DEFAULTS.window, GLOVE_DEFAULTS.window),
    negative: number('negative', WORD2VEC_DEFAULTS.negative),
    epochs: number('epochs', WORD2VEC_DEFAULTS.epochs, GLOVE_DEFAULTS.epochs),
    minCount: number('min-count', WORD2VEC_DEFAULTS.minCount),
    sample: number('sample', WORD2VEC_DEFAULTS.sample),
    alpha: number('alpha', WORD2VEC_DEFAULTS.alpha),
    minAlpha: number('min-alpha', WORD2VEC_DEFAULTS.minAlpha),
    seed: number('seed', WORD2VEC_DEFAULTS.seed),
    threads: number('threads', WORD2VEC_DEFAULTS.threads),
    minn: number('minn', WORD2VEC_DEFAULTS.minn),
    maxn: number('maxn', WORD2VEC_DEFAULTS.maxn),
    bucket: number('bucket', WORD2VEC_DEFAULTS.bucket),
    lowercase: flags['no-lowercase'] !== true,
  };
  if (glove) {
    parameters.glove = {
      eta: number('alpha', GLOVE_DEFAULTS.eta),
      xMax: number('x-max', GLOVE_DEFAULTS.xMax),
      alpha: number('weight-power', GLOVE_DEFAULTS.alpha),
      memoryMB: number('memory-mb', GLOVE_DEFAULTS.memoryMB),
    };
  }
  try {
    if (glove) {
      const { dim, window, minCount, epochs, seed, lowercase } = parameters;
      resolveGloveOptions({ dim, window, minCount, epochs, seed, lowercase, ...parameters.glove });
    } else {
      resolveWord2VecOptions({ ...parameters, algorithm });
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const vocabularyCaps = {
    maxVocabSize: flags['max-vocab-size'] as number | undefined,
    maxFinalVocab: flags['max-final-vocab'] as number | undefined,
  };
  const from = await startingPoint(flags, parameters);
  const outPath = path.resolve(out);
  const format = outputFormat(outPath);
  const corpusIsFolder = (await fs.stat(corpusPath)).isDirectory();
  const corpusRoot = corpusIsFolder ? corpusPath : path.dirname(corpusPath);
  // The size limit guards folder scans against stray dumps; a file named on the command line is wanted.
  const maxFileBytes = corpusIsFolder ? Math.round(((flags['max-file-mb'] as number) ?? 50) * 1024 * 1024) : Number.MAX_SAFE_INTEGER;

  // Ctrl-C stops cleanly: nothing is written, and a second Ctrl-C exits at once.
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling…\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });

  const checkpoints = await cliCheckpoints(flags, parameters.algorithm, quiet);
  const progress = new ProgressPrinter(quiet);
  const { trained, manifest } = await trainFromFiles(
    'cli',
    {
      files,
      corpusRoot,
      maxFileBytes,
      parameters,
      modelName: sanitizeModelName(path.basename(outPath).replace(/\.(bin|txt|vec|tsv)$/, '')),
    },
    controller.signal,
    (message) => progress.handle(message),
    vocabularyCaps,
    from,
    checkpoints,
  );
  progress.finish();

  let written = outPath;
  if (format === 'folder') {
    await writeModelFolder(outPath, trained.vectors, manifest, trained.subwords);
  } else if (format === 'projector') {
    const metadataPath = outPath.replace(/\.tsv$/i, '.metadata.tsv');
    await writeProjectorTsv(trained.vectors, outPath, metadataPath);
    written = `${outPath} and ${metadataPath}`;
  } else {
    await writeFileAtomic(outPath, (tempPath) => writeWord2Vec(trained.vectors, tempPath, { binary: format === 'binary' }));
  }
  // Written: the checkpoint has served.
  if (flags.checkpoint !== undefined) await removeCheckpoint(path.resolve(flags.checkpoint as string));
  const s = trained.stats;
  if (flags.json === true) {
    process.stdout.write(
      `${JSON.stringify({
        out: outPath,
        algorithm: parameters.algorithm,
        mode: parameters.mode,
        vocabularySize: trained.vectors.size,
        dim: trained.vectors.dim,
        corpusWords: s.corpusWords,
        trainedWords: 'trainedWords' in s ? s.trainedWords : undefined,
        epochs: s.epochs,
        threads: 'threads' in s ? s.threads : 1,
        vocabularySeconds: s.vocabularySeconds,
        trainingSeconds: s.trainingSeconds,
        wordsPerSecond: s.wordsPerSecond,
        epochLosses: s.epochLosses,
      })}\n`,
    );
    return 0;
  }
  process.stdout.write(
    `wrote ${written}: ${trained.vectors.size.toLocaleString('en-US')} words x ${trained.vectors.dim} ` +
      `(${s.corpusWords.toLocaleString('en-US')} corpus words, ${s.epochs} epochs, ${Math.round(s.wordsPerSecond).toLocaleString('en-US')} words/s, ` +
      `${s.trainingSeconds.toFixed(1)} s training, final epoch loss ${formatLoss(s.epochLosses.at(-1))})\n`,
  );
  return 0;
}

function outputFormat(outPath: string): 'binary' | 'text' | 'projector' | 'folder' {
  if (/\.bin$/i.test(outPath)) return 'binary';
  if (/\.tsv$/i.test(outPath)) return 'projector';
  if (/\.(txt|vec)$/i.test(outPath)) return 'text';
  return 'folder';
}

/** --init: the vectors a run continues from (any model folder or vectors file), with --lock. */
/** --checkpoint, --checkpoint-minutes and --resume, checked and turned into what trainFromFiles takes. */
async function cliCheckpoints(flags: Record<string, unknown>, algorithm: TrainingParameters['algorithm'], quiet: boolean) {
  const dir = flags.checkpoint as string | undefined;
  if (dir === undefined) {
    if (flags.resume === true || flags['checkpoint-minutes'] !== undefined) throw new UsageError('--resume and --checkpoint-minutes need --checkpoint <folder>: where the checkpoint is kept.');
    return undefined;
  }
  if (algorithm === 'glove') throw new UsageError('--checkpoint applies to word2vec and fasttext; GloVe runs keep no checkpoints.');
  const folder = path.resolve(dir);
  const minutes = (flags['checkpoint-minutes'] as number | undefined) ?? 5;
  const save = async (checkpoint: TrainingCheckpoint) => {
    await saveCheckpoint(folder, checkpoint);
    if (!quiet) process.stderr.write(`\ncheckpoint: epoch ${checkpoint.position.epoch}, ${Math.round(checkpoint.totals.words).toLocaleString('en-US')} words trained, in ${folder}\n`);
  };
  const everyMs = minutes > 0 ? minutes * 60_000 : undefined;
  if (flags.resume !== true) return { everyMs, save };
  const resume = await loadCheckpoint(folder);
  if (!resume) throw new UsageError(`--resume: there is no checkpoint in ${folder}. Run without --resume to start from the beginning.`);
  if (!quiet) process.stderr.write(`resuming from the checkpoint of ${resume.savedAt}: epoch ${resume.position.epoch} of ${resume.options.epochs}\n`);
  return { resume, everyMs, save };
}

async function startingPoint(flags: Record<string, unknown>, parameters: TrainingParameters) {
  const init = flags.init as string | undefined;
  const lock = lockSetting(flags.lock);
  const lockWordsFile = flags['lock-words'] as string | undefined;
  if (!init) {
    if (flags.lock !== undefined || lockWordsFile !== undefined) {
      throw new UsageError('--lock and --lock-words apply to continued training: give the model to start from with --init <model>.');
    }
    return undefined;
  }
  if (parameters.algorithm === 'glove') throw new UsageError('--init continues Word2Vec or FastText training; GloVe cannot start from existing vectors yet.');
  if (flags.dim !== undefined) throw new UsageError('--dim cannot be combined with --init: a continued model keeps the dim of the one it starts from.');
  const initPath = path.resolve(init);
  const stat = await fs.stat(initPath).catch(() => undefined);
  if (!stat) throw new UsageError(`${initPath} does not exist.`);
  const { vectors, subwords } = stat.isDirectory() ? await loadModelVectors(initPath) : { vectors: (await openVectors(initPath)).vectors, subwords: undefined };
  if (subwords) {
    // A FastText parent goes on as FastText, with its own n-gram settings.
    if (flags.algo !== undefined && parameters.algorithm !== 'fasttext') throw new UsageError(`${init} is a FastText model: continue it with --algo fasttext (or leave --algo out).`);
    Object.assign(parameters, { algorithm: 'fasttext', ...subwords.options });
  } else if (parameters.algorithm === 'fasttext') {
    throw new UsageError(`${init} has no character n-gram rows: FastText continues only from a FastText model folder. Use --algo word2vec.`);
  }
  parameters.dim = vectors.dim;
  const lockWords = lockWordsFile === undefined ? [] : parseLockWords(await readText(lockWordsFile, '--lock-words'), lockWordsFile);
  const resolved = resolveLockFactors(vectors, lock, lockWords, path.basename(lockWordsFile ?? ''));
  if (resolved.unknownWords.length > 0) {
    process.stderr.write(`${resolved.unknownWords.length} word(s) of ${lockWordsFile} are not in ${init} and learn freely: ${resolved.unknownWords.slice(0, 10).join(', ')}\n`);
  }
  return { start: { vectors, lock: resolved.factors, subwords }, parent: { path: initPath, name: path.basename(initPath), lock: resolved.description } };
}

function lockSetting(value: unknown): LockSetting {
  if (value === undefined) return 'none';
  try {
    return parseLockSetting(String(value));
  } catch (error) {
    throw new UsageError(`--lock: ${(error as Error).message}`);
  }
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
}

function choice<T extends string>(flag: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${String(value)}".`);
  return value as T;
}

async function neighbours(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, NEIGHBOUR_FLAGS);
  if (positional.length !== 2) throw new UsageError('neighbours takes a model and a word. Example: transfer-lab neighbours notes.bin king -k 5');
  const [modelPath, query] = positional;
  const k = (flags.k as number) ?? 10;
  const { vectors, lowercase } = await openVectors(path.resolve(modelPath));
  const word = lowercase ? query.toLowerCase() : query;
  if (!vectors.has(word)) {
    process.stderr.write(`"${word}" is not in the vocabulary of ${modelPath} (${vectors.size.toLocaleString('en-US')} words).\n`);
    return 1;
  }
  for (const n of vectors.mostSimilar(word, { k })) process.stdout.write(`${n.word} ${n.similarity.toFixed(4)}\n`);
  return 0;
}


/** One status line on a terminal (rewritten in place); a line every few seconds in a log. */
class ProgressPrinter {
  // Starts "now" so a short vocabulary pass prints nothing before its result.
  private lastLine = Date.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly quiet: boolean) {}

  handle(message: TrainerToHost): void {
    if (this.quiet) return;
    if (message.type === 'corpus') {
      if (this.tty) process.stderr.write('\r\x1b[K');
      const r = message.report;
      const skipped = r.skipped.length ? `, skipped ${r.skipped.length} (${r.skipped.map((s) => `${s.path}: ${s.reason}`).slice(0, 3).join('; ')}${r.skipped.length > 3 ? '; …' : ''})` : '';
      process.stderr.write(`read ${r.filesRead} files, ${(r.bytesRead / 1e6).toFixed(1)} MB${skipped}\n`);
    } else if (message.type === 'vocabulary') {
      process.stderr.write(`vocabulary: ${message.vocabularySize.toLocaleString('en-US')} words from ${message.corpusWords.toLocaleString('en-US')} tokens\n`);
    } else if (message.type === 'progress') {
      this.progress(message.progress);
    }
  }

  private progress(p: TrainingProgress): void {
    const now = Date.now();
    if (p.phase === 'vocabulary') {
      if (now - this.lastLine < 5000) return;
      this.lastLine = now;
      const line = `counting words: ${Math.round(p.wordsDone).toLocaleString('en-US')}`;
      process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
      return;
    }
    const epochEnd = p.wordsDone >= (p.wordsTotal / p.epochs) * p.epoch - 1;
    if (!this.tty && now - this.lastLine < 5000 && !epochEnd) return;
    this.lastLine = now;
    const percent = p.wordsTotal > 0 ? (100 * p.wordsDone) / p.wordsTotal : 0;
    const eta = p.wordsPerSecond > 0 ? (p.wordsTotal - p.wordsDone) / p.wordsPerSecond : 0;
    const line =
      `epoch ${p.epoch}/${p.epochs}  ${percent.toFixed(1).padStart(5)}%  loss ${formatLoss(p.loss)}  ` +
      `${Math.round(p.wordsPerSecond).toLocaleString('en-US')} words/s  lr ${p.learningRate.toFixed(5)}  eta ${Math.ceil(eta)}s`;
    process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  finish(): void {
    if (this.tty && !this.quiet) process.stderr.write('\n');
  }
}

function formatLoss(loss: number | undefined): string {
  return loss === undefined || !Number.isFinite(loss) ? 'n/a' : loss.toFixed(4);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`transfer-lab: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error.name === 'AbortError') {
      process.stderr.write('transfer-lab: cancelled; nothing was written.\n');
      process.exitCode = 130;
    } else {
      process.stderr.write(`transfer-lab: ${error.message}\n`);
      if (process.env.TRANSFER_LAB_DEBUG) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  },
);
