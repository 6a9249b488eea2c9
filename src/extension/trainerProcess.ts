// One forked trainer process running one job. Wraps the child's lifecycle so the rest of the
// extension sees typed messages and a single `exited` promise that always settles: a trainer that
// crashes, hangs on cancel or sends garbage can never hang or crash the extension host.
import { fork, type ChildProcess } from 'node:child_process';
import { parseTrainerToHost, type HostToTrainer, type TrainerToHost } from '../shared/protocol';

const LOG_TAIL_LINES = 200;
/** How long a cancelled trainer gets to clean up before it is killed. */
const CANCEL_GRACE_MS = 5000;

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the trainer wrote to stdout/stderr, for crash reports. */
  logTail: string[];
}

export class TrainerProcess {
  private readonly child: ChildProcess;
  private readonly logTail: string[] = [];
  private killTimer: NodeJS.Timeout | undefined;
  readonly exited: Promise<TrainerExit>;

  constructor(
    trainerScript: string,
    onMessage: (message: TrainerToHost) => void,
    onLog: (line: string) => void,
  ) {
    // fork() runs the script with the host's own runtime; in desktop VS Code that is Electron, which
    // behaves as plain Node only with ELECTRON_RUN_AS_NODE.
    this.child = fork(trainerScript, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [],
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line) continue;
        this.logTail.push(line);
        if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
        onLog(line);
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.child.on('message', (raw) => {
      const message = parseTrainerToHost(raw);
      if (message) onMessage(message);
      else onLog(`(ignored a malformed message from the trainer: ${JSON.stringify(raw).slice(0, 200)})`);
    });
    this.exited = new Promise((resolve) => {
      let settled = false;
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ code, signal, logTail: [...this.logTail] });
      };
      this.child.on('exit', settle);
      this.child.on('error', (error) => {
        collect(Buffer.from(`failed to run the trainer: ${error.message}`));
        settle(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(message: HostToTrainer): void {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks the trainer to stop, and kills it if it has not exited after a grace period. */
  cancel(runId: string): void {
    this.send({ type: 'cancel', runId });
    if (!this.killTimer) this.killTimer = setTimeout(() => this.kill(), CANCEL_GRACE_MS);
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
