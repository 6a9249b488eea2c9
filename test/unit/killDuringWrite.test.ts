// A trainer killed (SIGKILL) while it writes a model: the model it was writing does not appear, the
// models beside it are byte-identical, and the temporary folder it leaves is what the extension
// removes after the crash (removeStaleTempFolders), leaving the models folder as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { removeStaleTempFolders, writeModelFolder, MODEL_FORMAT_VERSION, VECTORS_FILE, type ModelManifest } from '../../src/core/modelFolder';

const ROOT = path.resolve(__dirname, '../..');

function manifest(name: string, words: number, dim: number): ModelManifest {
  return {
    formatVersion: MODEL_FORMAT_VERSION, name, algorithm: 'word2vec', vectorsFile: VECTORS_FILE, vectorsFormat: 'word2vec-binary',
    vocabularySize: words, dim, parameters: {},
    corpus: { root: '/', files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0, threads: 1 },
    timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: new Date().toISOString(), createdBy: 'test',
  } as ModelManifest;
}

test('SIGKILL during writeModelFolder: no model appears, the other model is intact, the leftover temp folder is cleaned', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tl-killwrite-'));
  try {
    // A model already there, as the user's earlier work.
    const small = new WordVectors(['alpha', 'beta', 'gamma'], 4, Float32Array.from({ length: 12 }, (_, i) => i / 7));
    await writeModelFolder(path.join(root, 'earlier'), small, manifest('earlier', 3, 4));
    const earlierFiles = Object.fromEntries(readdirSync(path.join(root, 'earlier')).map((f) => [f, readFileSync(path.join(root, 'earlier', f))]));

    // A writer in its own process: a 150,000 × 300 model (180 MB) takes long enough to be caught mid-write.
    const script = path.join(root, 'writer.ts');
    writeFileSync(
      script,
      `import { WordVectors } from ${JSON.stringify(path.join(ROOT, 'src/core/vectors'))};
       import { writeModelFolder } from ${JSON.stringify(path.join(ROOT, 'src/core/modelFolder'))};
       const n = 150_000, dim = 300;
       const words = Array.from({ length: n }, (_, i) => 'w' + i);
       const data = new Float32Array(n * dim).map((_, i) => (i % 97) / 97);
       process.stdout.write('writing\\n');
       writeModelFolder(${JSON.stringify(path.join(root, 'big'))}, new WordVectors(words, dim, data), ${JSON.stringify(manifest('big', 150_000, 300))}).then(() => process.stdout.write('done\\n'));`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    // Kill it once its temporary folder holds part of vectors.bin.
    const deadline = Date.now() + 60_000;
    let caught = false;
    while (Date.now() < deadline && !output.includes('done')) {
      const temp = readdirSync(root).find((e) => e.startsWith('.tmp-big-'));
      if (temp && existsSync(path.join(root, temp, VECTORS_FILE))) {
        child.kill('SIGKILL');
        caught = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(await exited, caught ? 'SIGKILL' : null);
    assert.ok(caught, `the writer was caught mid-write (output: ${JSON.stringify(output)})`);

    assert.ok(!existsSync(path.join(root, 'big')), 'the model being written never appears');
    for (const [file, bytes] of Object.entries(earlierFiles)) assert.ok(readFileSync(path.join(root, 'earlier', file)).equals(bytes), `earlier/${file} is byte-identical`);
    const leftovers = readdirSync(root).filter((e) => e.startsWith('.tmp-'));
    assert.equal(leftovers.length, 1, 'the killed writer left its temporary folder');
    assert.equal(await removeStaleTempFolders(root), 1, 'which the cleanup after a crash removes');
    assert.deepEqual(readdirSync(root).sort(), ['earlier', 'writer.ts']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
