// One queue for every heavy job of the window (pretraining, fine-tuning, imports, classifiers,
// curves): on two cores, two trainers at once would each run at half speed and fight for memory,
// so a job started while another runs waits its turn instead of being refused or interleaved.
// No `vscode` import: the ordering rules are unit-tested on their own.

let runSequence = 0;
/** Unique within the window even for runs started in the same millisecond: the queue tells them apart by id. */
export function newRunId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(++runSequence).toString(36)}`;
}

export interface QueuedJob {
  id: string;
  /** What the user would call it: "word2vec-20261129-101500", "training sms-bag-scratch". */
  title: string;
}

export type QueueOutcome<T> = { ran: true; value: T } | { ran: false };

interface Waiter {
  job: QueuedJob;
  go: (run: boolean) => void;
}

export class JobQueue {
  private current: QueuedJob | undefined;
  private readonly waiting: Waiter[] = [];
  private readonly listeners = new Set<() => void>();

  /** The job that holds the queue, if any. */
  get running(): QueuedJob | undefined {
    return this.current;
  }

  /** Jobs waiting, first to run first. */
  get queued(): QueuedJob[] {
    return this.waiting.map((w) => w.job);
  }

  /** Called whenever a job starts waiting, starts running, finishes or is dropped. */
  onChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Runs `work` once every job queued before it has finished. `whenQueued` is told which job it
   * waits behind (only if it has to wait). A job cancelled while waiting never runs: {ran: false}.
   * A job that throws frees the queue for the next one and rethrows.
   */
  async exclusive<T>(job: QueuedJob, work: () => Promise<T>, whenQueued?: (behind: QueuedJob, position: number) => void): Promise<QueueOutcome<T>> {
    if (this.current || this.waiting.length > 0) {
      const turn = new Promise<boolean>((go) => this.waiting.push({ job, go }));
      whenQueued?.(this.current ?? this.waiting[0].job, this.waiting.length);
      this.changed();
      if (!(await turn)) return { ran: false };
    } else {
      this.current = job;
      this.changed();
    }
    try {
      return { ran: true, value: await work() };
    } finally {
      this.next();
    }
  }

  /** Drops a waiting job; false when it is not waiting (already running, finished or unknown). */
  cancel(id: string): boolean {
    const index = this.waiting.findIndex((w) => w.job.id === id);
    if (index < 0) return false;
    const [waiter] = this.waiting.splice(index, 1);
    waiter.go(false);
    this.changed();
    return true;
  }

  /** Drops every waiting job, for example when the window closes. */
  cancelAll(): void {
    for (const waiter of this.waiting.splice(0)) waiter.go(false);
    this.changed();
  }

  private next(): void {
    const waiter = this.waiting.shift();
    this.current = waiter?.job;
    waiter?.go(true);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
