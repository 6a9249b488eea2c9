// The trainer process: forked by the extension host (plain Node, never the editor's own process),
// it runs exactly one job and exits. One process per run keeps memory from one run out of the next
// and lets the host end a run by ending the process when all else fails.
import { parseHostToTrainer, type HostToTrainer, type TrainerToHost } from '../shared/protocol';
import { runWord2VecJob } from './runJob';
import { runImportJob } from './importJob';
import { runEncoderJob, runInspectJob } from './encoderJob';
import { runClassifyCurveJob, runClassifyPredictJob, runClassifyTrainJob } from './classifierJob';

if (typeof process.send !== 'function') {
  console.error('The Transfer Lab trainer runs as a child of the extension; use the transfer-lab CLI in a terminal.');
  process.exit(2);
}

const controller = new AbortController();
let currentRunId: string | undefined;

function emit(message: TrainerToHost): void {
  // A closed channel means the host is gone; there is nobody left to tell.
  if (process.connected) process.send!(message);
}

async function finish(code: number): Promise<void> {
  // Let queued IPC messages flush before exiting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.exit(code);
}

async function start(message: Extract<HostToTrainer, { type: 'start' }>): Promise<void> {
  if (currentRunId !== undefined) {
    emit({ type: 'error', runId: message.runId, message: 'This trainer process is already running a job.' });
    return;
  }
  currentRunId = message.runId;
  try {
    const { job, runId } = message;
    const { signal } = controller;
    if (job.kind === 'import') await runImportJob(runId, job, signal, emit);
    else if (job.kind === 'classify-train') await runClassifyTrainJob(runId, job, signal, emit);
    else if (job.kind === 'classify-curve') await runClassifyCurveJob(runId, job, signal, emit);
    else if (job.kind === 'classify-predict') await runClassifyPredictJob(runId, job, signal, emit);
    else if (job.kind === 'pretrain-encoder') await runEncoderJob(runId, job, signal, emit);
    else if (job.kind === 'inspect-encoder') await runInspectJob(runId, job, emit);
    else await runWord2VecJob(runId, job, signal, emit);
    await finish(0);
  } catch (error) {
    const err = error as Error;
    if (err.name === 'AbortError' || controller.signal.aborted) {
      emit({ type: 'cancelled', runId: message.runId });
      await finish(0);
    } else {
      emit({ type: 'error', runId: message.runId, message: err.message, detail: err.stack });
      await finish(1);
    }
  }
}

process.on('message', (raw) => {
  const message = parseHostToTrainer(raw);
  if (!message) {
    emit({ type: 'log', level: 'warn', message: `Ignored a malformed message from the host: ${JSON.stringify(raw).slice(0, 200)}` });
    return;
  }
  if (message.type === 'start') void start(message);
  else if (message.type === 'cancel' && message.runId === currentRunId) controller.abort();
});

// The host went away (window closed, extension deactivated, editor crashed): stop at once, no orphans.
process.on('disconnect', () => process.exit(0));

process.on('uncaughtException', (error) => {
  emit({ type: 'error', runId: currentRunId ?? '', message: `Trainer crashed: ${error.message}`, detail: error.stack });
  void finish(1);
});

emit({ type: 'ready', pid: process.pid });
