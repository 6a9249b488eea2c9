// Layers with hand-written gradients that keep the WASM backend on its fast paths. Measured on tfjs
// 4.22 WASM (one thread, SIMD) with [2048×128]·[128×512]-sized products:
// - a plain matMul runs on XNNPACK (~40 ms), but a matMul with transposeA or transposeB, which the
//   built-in gradient uses for both dW and dx, falls back to a slow loop (300–540 ms); an explicit
//   tf.transpose and a plain matMul take 15–50 ms;
// - the bias and LayerNorm-gain gradients are sums over the batch axis (15 ms for 2048×128); a
//   product with a row of ones gives the same sums in 0.1 ms;
// - tanh costs 7× sigmoid, so GELU uses its sigmoid form and tanh is written with sigmoid.
import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from '../classify/tfBackend';

/** Column sums of a [rows, n] matrix as [n], by a product with a row of ones (see above). */
function columnSums(tf: Tfjs, x: tfjs.Tensor2D): tfjs.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]) as tfjs.Tensor1D;
}

/**
 * x·w (+ b) for x [rows, in], w [in, out], b [out]. `wT`, w transposed, may be passed when one
 * weight is used many times (the LSTM's recurrent kernel, once per timestep) so it is transposed once.
 */
export function dense(tf: Tfjs, x: tfjs.Tensor, w: tfjs.Tensor, b?: tfjs.Tensor, wT?: tfjs.Tensor): tfjs.Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, wIn, bIn] = args as tfjs.Tensor2D[];
    const save = args[args.length - 1] as (tensors: tfjs.Tensor[]) => void;
    const transposed = wT ?? tf.transpose(wIn);
    save([xIn, transposed]);
    const product = tf.matMul(xIn, wIn);
    const value = (b ? tf.add(product, bIn) : product) as tfjs.Tensor2D;
    return {
      value,
      gradFunc: (dy: tfjs.Tensor2D, saved: tfjs.Tensor[]) => {
        const [xSaved, wTSaved] = saved as tfjs.Tensor2D[];
        const grads: tfjs.Tensor[] = [tf.matMul(dy, wTSaved), tf.matMul(tf.transpose(xSaved), dy)];
        if (b) grads.push(columnSums(tf, dy));
        return grads;
      },
    };
  });
  return (b ? op(x, w, b) : op(x, w)) as tfjs.Tensor2D;
}

/** LayerNorm over the last axis of x [rows, width], with gain and bias [width]. */
export function layerNorm(tf: Tfjs, x: tfjs.Tensor, gain: tfjs.Tensor, bias: tfjs.Tensor): tfjs.Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, gIn, bIn] = args as tfjs.Tensor[];
    const save = args[args.length - 1] as (tensors: tfjs.Tensor[]) => void;
    const { mean, variance } = tf.moments(xIn, -1, true);
    const inverse = tf.rsqrt(tf.add(variance, 1e-5));
    const normed = tf.mul(tf.sub(xIn, mean), inverse) as tfjs.Tensor2D;
    save([normed, inverse, gIn]);
    return {
      value: tf.add(tf.mul(normed, gIn), bIn) as tfjs.Tensor2D,
      gradFunc: (dy: tfjs.Tensor2D, saved: tfjs.Tensor[]) => {
        const [n, inv, g] = saved as [tfjs.Tensor2D, tfjs.Tensor2D, tfjs.Tensor1D];
        const dn = tf.mul(dy, g);
        // d/dx of (x - mean)/std: subtract the mean of dn and its projection on the normed row.
        const dx = tf.mul(inv, tf.sub(tf.sub(dn, tf.mean(dn, -1, true)), tf.mul(n, tf.mean(tf.mul(dn, n), -1, true))));
        return [dx, columnSums(tf, tf.mul(dy, n) as tfjs.Tensor2D), columnSums(tf, dy)];
      },
    };
  });
  return op(x, gain, bias) as tfjs.Tensor2D;
}

/** GELU in its sigmoid form x·σ(1.702x) (Hendrycks & Gimpel), within 0.02 of the exact one. */
export function gelu(tf: Tfjs, x: tfjs.Tensor): tfjs.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** tanh(x) = 2σ(2x) − 1, exactly, at a seventh of tanh's cost on WASM. */
export function tanh(tf: Tfjs, x: tfjs.Tensor): tfjs.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}
