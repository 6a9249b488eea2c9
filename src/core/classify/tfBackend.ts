// Loads TensorFlow.js on the fastest backend this machine can run: the native tfjs-node binding when
// it is installed, else WebAssembly (SIMD, one thread: WASM threads do not start under Node), else
// plain JavaScript. The choice is made once per process.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export type Tfjs = typeof import('@tensorflow/tfjs');
export type TensorflowBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTensorflow {
  tf: Tfjs;
  backend: TensorflowBackend;
  /** Which backend runs and why the faster ones do not, for the log and the panel. */
  note: string;
}

export interface LoadTensorflowOptions {
  /**
   * Folder holding tfjs-backend-wasm's .wasm files. The bundled extension ships them in its own
   * folder; by default they are taken from the installed package's dist/.
   */
  wasmDir?: string;
}

let loaded: Promise<LoadedTensorflow> | undefined;

/** Memoised: the options of the first call win, as tfjs's backend registry is process-wide. */
export function loadTensorflow(options: LoadTensorflowOptions = {}): Promise<LoadedTensorflow> {
  loaded ??= load(options);
  return loaded;
}

// A require whose argument is not a literal, so that esbuild leaves tfjs-node (a native addon that
// cannot be bundled and is usually absent) to be resolved at run time.
const runtimeRequire: (id: string) => unknown = require;
const NODE_BINDING = ['@tensorflow', 'tfjs-node'].join('/');

/**
 * The bundles (dist/trainer.js, dist/cli.js) ship the .wasm files beside them in tfjs-wasm/
 * (scripts/build.mjs), so the packaged extension needs no node_modules.
 */
function bundledWasmDir(): string | undefined {
  const dir = path.join(__dirname, 'tfjs-wasm');
  return existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')) ? dir : undefined;
}

async function load(options: LoadTensorflowOptions): Promise<LoadedTensorflow> {
  let nodeReason: string;
  try {
    const tf = runtimeRequire(NODE_BINDING) as Tfjs;
    quiet(tf);
    await tf.ready();
    return { tf, backend: 'tensorflow', note: `native TensorFlow (tfjs-node, backend "${tf.getBackend()}")` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    nodeReason = code === 'MODULE_NOT_FOUND' ? 'tfjs-node not installed' : `tfjs-node failed to load (${firstLine(error)})`;
  }

  const tf = require('@tensorflow/tfjs') as Tfjs;
  quiet(tf);
  let wasmReason: string;
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dir = options.wasmDir ?? bundledWasmDir() ?? path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dir.endsWith(path.sep) || dir.endsWith('/') ? dir : dir + '/');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return { tf, backend: 'wasm', note: `WASM (${simd ? 'SIMD' : 'no SIMD'}, 1 thread); ${nodeReason}` };
    }
    wasmReason = 'the WASM backend did not initialise';
  } catch (error) {
    wasmReason = `the WASM backend failed (${firstLine(error)})`;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', note: `plain JavaScript (cpu backend, slow); ${nodeReason}; ${wasmReason}` };
}

// Production mode turns off tfjs's console warnings, among them the banner urging tfjs-node, which
// the note above already reports.
function quiet(tf: Tfjs): void {
  tf.enableProdMode();
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
