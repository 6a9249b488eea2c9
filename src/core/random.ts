// mulberry32: a seeded 32-bit generator with good statistical quality for its cost. The WebAssembly
// kernel (kernels/embedding.c) uses the same step, so seeds mean the same thing on both sides.
const RANDOM_STEP = 0x6d2b79f5;

export function randomOutput(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A seeded stream of uniform 32-bit integers and floats in [0, 1). */
export class Random {
  state: number;
  constructor(seed: number) {
    // Spread the seed (an arbitrary integer) over the 32-bit state.
    this.state = Math.imul((seed | 0) ^ Math.floor(seed / 2 ** 32), 0x9e3779b1) ^ 0x85ebca6b;
  }
  uint32(): number {
    this.state = (this.state + RANDOM_STEP) | 0;
    return randomOutput(this.state);
  }
  float(): number {
    return this.uint32() / 2 ** 32;
  }
}

/** A well-mixed 32-bit seed for stream `index` of a run seeded with `seed`. */
export function streamSeed(seed: number, index: number): number {
  const r = new Random(seed);
  r.state = (r.state ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
  return r.uint32();
}
