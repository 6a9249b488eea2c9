// The GloVe model and its update (Pennington et al. 2014; Stanford's glove.c): word vectors w, context
// vectors c and their biases, fitted by AdaGrad to
//   J = sum over records of 0.5 f(x) (w_i . c_j + b_i + b~_j - log x)^2,   f(x) = min(1, (x / xMax)^alpha).
// As in glove.c the step divides by the root of the squared gradients accumulated *before* it (gradsq
// starts at 1), and each component of a vector gradient is clipped to ±gradClip before it is scaled by
// eta. The biases take eta too, as in glove.c up to release 1.2; glove.c's
// later clipping rewrite leaves eta out of the bias step. Both were tried on Gutenberg text: the
// vectors came out alike, so the original, uniform rule is kept.
import type { Random } from '../random';
import type { RecordBlock } from './shuffle';

export interface GloveModelConfig {
  vocabularySize: number;
  dim: number;
  eta: number;
  xMax: number;
  alpha: number;
  /** glove.c's grad_clip_value: bounds each gradient component before it is scaled by eta. */
  gradClip: number;
}

export class GloveModel {
  readonly size: number;
  readonly dim: number;
  /** size x dim, row-major. */
  readonly w: Float32Array;
  readonly c: Float32Array;
  readonly bw: Float32Array;
  readonly bc: Float32Array;
  /** AdaGrad accumulators, one per parameter. */
  readonly gw: Float32Array;
  readonly gc: Float32Array;
  readonly gbw: Float32Array;
  readonly gbc: Float32Array;
  /** Sum of 0.5 f(x) diff^2 over the records trained, in float64 (a float32 sum would stall). */
  lossSum = 0;
  records = 0;
  /** Records skipped because their error was not finite (glove.c skips them too). */
  skipped = 0;
  private readonly config: GloveModelConfig;

  constructor(config: GloveModelConfig, random: Random) {
    this.config = config;
    const { vocabularySize: size, dim } = config;
    this.size = size;
    this.dim = dim;
    this.w = new Float32Array(size * dim);
    this.c = new Float32Array(size * dim);
    this.bw = new Float32Array(size);
    this.bc = new Float32Array(size);
    // glove.c: every parameter uniform in [-0.5, 0.5) / dim, word rows before context rows.
    const init = (array: Float32Array) => {
      for (let k = 0; k < array.length; k++) array[k] = (random.float() - 0.5) / dim;
    };
    init(this.w);
    init(this.bw);
    init(this.c);
    init(this.bc);
    this.gw = new Float32Array(size * dim).fill(1);
    this.gc = new Float32Array(size * dim).fill(1);
    this.gbw = new Float32Array(size).fill(1);
    this.gbc = new Float32Array(size).fill(1);
  }

  /** One AdaGrad step on each record in [start, end) of the block. */
  train(block: RecordBlock, start: number, end: number): void {
    const { ints, floats } = block;
    const { dim, w, c, bw, bc, gw, gc, gbw, gbc } = this;
    const { eta, xMax, alpha, gradClip } = this.config;
    const clip = gradClip;
    let loss = 0;
    let skipped = 0;
    for (let r = start; r < end; r++) {
      const i = ints[3 * r];
      const j = ints[3 * r + 1];
      const x = floats[3 * r + 2];
      const l1 = i * dim;
      const l2 = j * dim;
      let dot = 0;
      let normW = 0;
      let normC = 0;
      for (let d = 0; d < dim; d++) {
        const a = w[l1 + d];
        const b = c[l2 + d];
        dot += a * b;
        normW += a * a;
        normC += b * b;
      }
      const diff = dot + bw[i] + bc[j] - Math.log(x);
      let fdiff = x > xMax ? diff : Math.pow(x / xMax, alpha) * diff;
      if (!Number.isFinite(fdiff)) {
        skipped++;
        continue;
      }
      loss += 0.5 * fdiff * diff;
      // No component of fdiff * c exceeds |fdiff| * |c|, so when that bound is within the clip (nearly
      // always) the clamping loop is skipped; the steps agree up to rounding.
      const e = eta * fdiff;
      if (Math.abs(fdiff) * Math.sqrt(Math.max(normW, normC)) <= clip) {
        for (let d = 0; d < dim; d++) {
          const s1 = e * c[l2 + d];
          const s2 = e * w[l1 + d];
          const g1 = gw[l1 + d];
          const g2 = gc[l2 + d];
          w[l1 + d] -= s1 / Math.sqrt(g1);
          c[l2 + d] -= s2 / Math.sqrt(g2);
          gw[l1 + d] = g1 + s1 * s1;
          gc[l2 + d] = g2 + s2 * s2;
        }
      } else {
        for (let d = 0; d < dim; d++) {
          let g1 = fdiff * c[l2 + d];
          let g2 = fdiff * w[l1 + d];
          if (g1 > clip) g1 = clip;
          else if (g1 < -clip) g1 = -clip;
          if (g2 > clip) g2 = clip;
          else if (g2 < -clip) g2 = -clip;
          const s1 = eta * g1;
          const s2 = eta * g2;
          w[l1 + d] -= s1 / Math.sqrt(gw[l1 + d]);
          c[l2 + d] -= s2 / Math.sqrt(gc[l2 + d]);
          gw[l1 + d] += s1 * s1;
          gc[l2 + d] += s2 * s2;
        }
      }
      fdiff *= eta;
      bw[i] -= fdiff / Math.sqrt(gbw[i]);
      bc[j] -= fdiff / Math.sqrt(gbc[j]);
      fdiff *= fdiff;
      gbw[i] += fdiff;
      gbc[j] += fdiff;
    }
    this.lossSum += loss;
    this.records += end - start - skipped;
    this.skipped += skipped;
  }

  /** Stanford's model=2 output: w + c, the sum that the GloVe paper reports as slightly better than w alone. */
  wordPlusContext(): Float32Array {
    const out = new Float32Array(this.w.length);
    for (let k = 0; k < out.length; k++) out[k] = this.w[k] + this.c[k];
    return out;
  }
}
