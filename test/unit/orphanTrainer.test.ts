// When the extension host dies without a word (SIGKILL, a crash, a window reload that kills it), the
// trainer it forked must not live on, training for nobody and holding memory and CPU. Checked with the
// built trainer and a stand-in host that forks it the way src/extension/trainerProcess.ts does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { builtFile } from './builtDist';

// The host's side of trainerProcess.ts, in plain Node: fork with an IPC channel and piped output,
// send the job once the trainer is ready, report the trainer's pid and when training is under way.
const FAKE_HOST = `
const { fork } = require('node:child_process');
const [trainer, start] = process.argv.slice(2);
const child = fork(trainer, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, execArgv: [] });
child.stdout.resume();
child.stderr.on('data', (chunk) => process.stderr.write(chunk));
let training = false;
child.on('message', (message) => {
  if (message.type === 'ready') {
    console.log(JSON.stringify({ event: 'ready', pid: child.pid }));
    if (start) child.send(JSON.parse(start));
  } else if (message.type === 'progress' && message.progress.phase === 'training' && !training) {
    training = true;
    console.log(JSON.stringify({ event: 'training', pid: child.pid }));
  } else if (message.type === 'error' || message.type === 'done') {
    console.log(JSON.stringify({ event: message.type, message: message.message }));
  }
});
`;

/** Alive and not a zombie: a container's init may never reap an orphan that has already exited. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

describe('the trainer process when its host is killed', { skip: process.platform === 'win32' && 'uses SIGKILL and /proc' }, () => {
  let dir: string;
  let trainer: string;
  let hostScript: string;
  const started: { host: ChildProcess; trainerPid?: number }[] = [];

  before(() => {
    trainer = builtFile('trainer.js', ['src/trainer', 'src/core', 'src/shared']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'tl-orphan-'));
    hostScript = path.join(dir, 'fake-host.cjs');
    writeFileSync(hostScript, FAKE_HOST);
  });

  after(() => {
    // A failing test must not leave its own processes behind either.
    for (const { host, trainerPid } of started) {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
      if (trainerPid !== undefined && isRunning(trainerPid)) process.kill(trainerPid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the stand-in host and resolves when it reports `event`, with the trainer's pid. */
  function startHost(event: 'ready' | 'training', start?: object): Promise<{ host: ChildProcess; trainerPid: number }> {
    const host = spawn(process.execPath, [hostScript, trainer, ...(start ? [JSON.stringify(start)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry: (typeof started)[number] = { host };
    started.push(entry);
    let stderr = '';
    host.stderr!.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${event}' from the trainer within 60 s; its output:\n${stderr}`)), 60_000);
      createInterface({ input: host.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { event: string; pid?: number; message?: string };
        if (message.pid !== undefined) entry.trainerPid = message.pid;
        if (message.event === 'error' || message.event === 'done') {
          clearTimeout(timer);
          reject(new Error(`the trainer ended before the test could kill its host: ${message.event} ${message.message ?? ''}\n${stderr}`));
        } else if (message.event === event) {
          clearTimeout(timer);
          resolve({ host, trainerPid: message.pid! });
        }
      });
      host.on('exit', (code, signal) => reject(new Error(`the stand-in host exited (${code ?? signal}) early:\n${stderr}`)));
    });
  }

  async function killHostAndExpectTrainerGone(host: ChildProcess, trainerPid: number): Promise<void> {
    assert.ok(isRunning(trainerPid), 'the trainer runs before its host is killed');
    const hostGone = new Promise((resolve) => host.once('exit', resolve));
    host.kill('SIGKILL');
    await hostGone;
    assert.ok(await waitUntilGone(trainerPid, 5000), `trainer ${trainerPid} still runs 5 s after its host was killed`);
  }

  it('an idle trainer exits when its host is SIGKILLed', async () => {
    const { host, trainerPid } = await startHost('ready');
    await killHostAndExpectTrainerGone(host, trainerPid);
  });

  for (const [algorithm, threads] of [['word2vec', 2], ['glove', 1]] as const) {
    it(`a trainer in the middle of training (${algorithm}) exits when its host is SIGKILLed`, async () => {
      const corpus = path.join(dir, `corpus-${algorithm}.txt`);
      const sentences = ['the king spoke to the queen in the castle', 'a man and a woman walked to the market', 'the cat sat on the warm mat by the door'];
      writeFileSync(corpus, Array.from({ length: 20_000 }, (_, i) => `${sentences[i % 3]} word${i % 500}`).join('\n'));
      const job = {
        type: 'start',
        runId: `orphan-${algorithm}`,
        job: {
          kind: 'word2vec',
          files: [corpus],
          corpusRoot: dir,
          maxFileBytes: 50 * 1024 * 1024,
          modelDir: path.join(dir, `model-${algorithm}`),
          modelName: `orphan-${algorithm}`,
          parameters: {
            algorithm, mode: 'sg', hs: false, cbowMean: true, dim: 50, window: 5, negative: 5, epochs: 1000, minCount: 1, sample: 0,
            alpha: 0.025, minAlpha: 0.0001, seed: 1, lowercase: true, threads, minn: 3, maxn: 6, bucket: 10_000,
          },
        },
      };
      const { host, trainerPid } = await startHost('training', job);
      await killHostAndExpectTrainerGone(host, trainerPid);
    });
  }
});
