// An import job in the trainer process: reads pretrained vectors with importVectors (which writes the
// model folder only once the whole file was read) and reports progress and the model summary.
import { importVectors, type ImportProgress } from '../core/importVectors';
import { manifestAlgorithm } from '../shared/modelInfo';
import type { ImportJob, TrainerToHost } from '../shared/protocol';
import { PRODUCT, abortError, pickExampleWords } from './runJob';

export async function runImportJob(runId: string, job: ImportJob, signal: AbortSignal, emit: (message: TrainerToHost) => void): Promise<void> {
  emit({ type: 'log', runId, level: 'info', message: `Importing ${job.sourcePath} into ${job.modelDir}${job.skipBadLines ? ' (skipping malformed lines)' : ''}` });
  let lastSent = 0;
  const onProgress = (p: ImportProgress) => {
    // Cancelling stops the import at the next chunk; importVectors writes nothing before it has read everything.
    if (signal.aborted) throw abortError();
    const now = Date.now();
    if (now - lastSent < 100 && p.bytesDone < p.bytesTotal && p.phase !== 'writing') return;
    lastSent = now;
    emit({ type: 'importProgress', runId, phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal });
  };
  const result = await importVectors(job.sourcePath, job.modelDir, { skipBadLines: job.skipBadLines, name: job.modelName, onProgress, createdBy: PRODUCT });
  if (result.info.skippedLines > 0) {
    emit({ type: 'log', runId, level: 'warn', message: `Skipped ${result.info.skippedLines} malformed lines (line ${result.info.skippedLineNumbers.join(', ')})` });
  }
  const { algorithm, mode } = manifestAlgorithm(result.manifest);
  emit({
    type: 'done',
    runId,
    model: {
      name: job.modelName,
      modelDir: result.modelDir,
      vocabularySize: result.vectors.size,
      dim: result.vectors.dim,
      algorithm,
      ...(mode && { mode }),
      exampleWords: pickExampleWords(result.vectors.words),
    },
  });
}
