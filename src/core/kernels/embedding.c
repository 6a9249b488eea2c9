// The training kernel for Word2Vec and FastText: skip-gram and CBOW, negative sampling and
// hierarchical softmax, compiled to WebAssembly with 128-bit SIMD (scripts/build-kernel.mjs).
//
// All state lives in one shared WebAssembly.Memory that every worker thread imports, so threads
// update the same weights without locks (Hogwild, as word2vec.c and gensim). The kernel owns no
// memory: JavaScript lays out the matrices and per-thread scratch and passes pointers. There are no
// static variables and no stack arrays, because the linear memory (and so a C stack or a static) is
// shared between threads; everything per-thread hangs off a Thread record.
//
// Negative samples are shared across a window, after Ji et al. 2016 ("Parallelizing Word2Vec in
// Shared and Distributed Memory"): the K noise words drawn for a centre serve every context input
// of its window, which saves M-1 of every M random draws and the cache misses on their rows. The
// inputs of a window then take their turns against the same few output rows, which stay in cache.
//
// Word2Vec reads and updates an input word's row in place, as word2vec.c does. A FastText input
// vector is the mean of the word's row and its character n-gram rows: it is built once when the
// position enters the window and its accumulated gradient is added to the rows once when it leaves,
// so an n-gram bag is gathered and scattered once per word rather than once per pair.

#include <stdint.h>
#include <wasm_simd128.h>

#define EXP_TABLE_SIZE 1000
#define MAX_EXP 6
#define TABLE_SCALE ((float)EXP_TABLE_SIZE / MAX_EXP / 2)

// Shared, read-mostly description of a model. Every field is 4 bytes wide, so the layout is a plain
// sequence of int32 slots that JavaScript fills by index (kernelMemory.ts, MODEL_FIELDS).
typedef struct {
  float *syn0;               // input rows: words, then n-gram buckets; row stride = stride floats
  float *syn1neg;            // output rows for negative sampling (one per word)
  float *syn1;               // output rows for hierarchical softmax (one per inner tree node)
  const float *sigmoid;      // sigma(x) on EXP_TABLE_SIZE+1 points of [-MAX_EXP, MAX_EXP]
  const float *loss_true;    // -log sigma(x) on the same grid
  const float *loss_noise;   // -log(1 - sigma(x)) on the same grid
  const uint32_t *cumulative;// noise distribution: end of word i's share of [0, 2^31)
  const int32_t *guide;      // first word whose share reaches each bucket of the draw's top bits
  int32_t guide_shift;
  const uint32_t *keep;      // keep word i if a uniform 32-bit draw <= keep[i] (down-sampling)
  const int32_t *code_start; // Huffman path of word i: code_start[i] .. code_start[i+1]
  const int32_t *points;     // inner node ids along the path
  const uint8_t *codes;      // 0/1 branch taken at each node
  const int32_t *row_start;  // input rows of word i: rows[row_start[i] .. row_start[i+1]]
  const int32_t *rows;
  int32_t dim;
  int32_t stride;            // dim rounded up to 4: padding floats are zero and stay zero
  int32_t window;
  int32_t negative;
  int32_t hs;
  int32_t cbow;
  int32_t cbow_mean;
  int32_t subwords;          // 1: words have several input rows (FastText); 0: one row each
  const float *lockf;        // per word: how much of its input gradient applies (gensim's
                             // vectors_lockf; 0 = frozen); null = 1 for every word
} Model;

// Per-thread state and scratch. Doubles first keeps them 8-byte aligned for any base that is.
typedef struct {
  double loss;               // summed loss of every output prediction
  double examples;           // (input, output set) predictions the loss covers
  double trained_words;      // words left after down-sampling
  const Model *model;
  uint32_t random;           // generator state (mulberry32)
  int32_t *sentence;         // ids after down-sampling, up to max_sentence
  int32_t max_sentence;
  float *ring_input;         // (2*window+1) x stride: input vectors of the positions in reach
  float *ring_grad;          // (2*window+1) x stride: their accumulated gradients
  float **input_at;          // 2*window+1: where each position's input vector is
  float **grad_at;           // 2*window+1: where each position's gradient goes
  float *hidden;             // stride: CBOW context vector
  float *hidden_grad;        // stride
  float **out_rows;          // max_outputs output row pointers
  float *out_labels;         // max_outputs labels (1 = true word / branch, 0 = noise)
  int32_t max_outputs;
} Thread;

static inline uint32_t next_random(Thread *t) {
  uint32_t s = t->random += 0x6d2b79f5u;
  uint32_t z = (s ^ (s >> 15)) * (s | 1u);
  z ^= z + (z ^ (z >> 7)) * (z | 61u);
  return z ^ (z >> 14);
}

static inline float dot(const float *a, const float *b, int32_t stride) {
  v128_t acc0 = wasm_f32x4_splat(0.0f);
  v128_t acc1 = wasm_f32x4_splat(0.0f);
  int32_t d = 0;
  for (; d + 8 <= stride; d += 8) {
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + d), wasm_v128_load(b + d)));
    acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(a + d + 4), wasm_v128_load(b + d + 4)));
  }
  if (d < stride) acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + d), wasm_v128_load(b + d)));
  acc0 = wasm_f32x4_add(acc0, acc1);
  return wasm_f32x4_extract_lane(acc0, 0) + wasm_f32x4_extract_lane(acc0, 1) +
         wasm_f32x4_extract_lane(acc0, 2) + wasm_f32x4_extract_lane(acc0, 3);
}

// y += a * x
static inline void axpy(float a, const float *x, float *y, int32_t stride) {
  v128_t av = wasm_f32x4_splat(a);
  for (int32_t d = 0; d < stride; d += 4) {
    wasm_v128_store(y + d, wasm_f32x4_add(wasm_v128_load(y + d), wasm_f32x4_mul(av, wasm_v128_load(x + d))));
  }
}

// acc += g * out, then out += g * input: one pass over the output row for both updates.
static inline void exchange(float g, float *out, const float *input, float *acc, int32_t stride) {
  v128_t gv = wasm_f32x4_splat(g);
  for (int32_t d = 0; d < stride; d += 4) {
    v128_t o = wasm_v128_load(out + d);
    wasm_v128_store(acc + d, wasm_f32x4_add(wasm_v128_load(acc + d), wasm_f32x4_mul(gv, o)));
    wasm_v128_store(out + d, wasm_f32x4_add(o, wasm_f32x4_mul(gv, wasm_v128_load(input + d))));
  }
}

static inline void zero(float *y, int32_t stride) {
  v128_t z = wasm_f32x4_splat(0.0f);
  for (int32_t d = 0; d < stride; d += 4) wasm_v128_store(y + d, z);
}

// The gradient coefficient (label - sigma(f)) * alpha, and the loss of predicting `label` from f.
static inline float coefficient(const Model *m, float f, float label, float alpha, double *loss) {
  if (f >= MAX_EXP) {
    // sigma(f) ~ 1: the true label costs nothing, noise costs about f.
    *loss += label > 0.5f ? 0.0 : (double)f;
    return (label - 1.0f) * alpha;
  }
  if (f <= -MAX_EXP) {
    *loss += label > 0.5f ? (double)-f : 0.0;
    return label * alpha;
  }
  int32_t index = (int32_t)((f + MAX_EXP) * TABLE_SCALE);
  *loss += label > 0.5f ? m->loss_true[index] : m->loss_noise[index];
  return (label - m->sigmoid[index]) * alpha;
}

// The outputs that the centre word is predicted through: its Huffman path and/or itself plus
// `negative` noise words. Returns how many.
static int32_t gather_outputs(Thread *t, int32_t centre) {
  const Model *m = t->model;
  int32_t count = 0;
  if (m->hs) {
    for (int32_t c = m->code_start[centre]; c < m->code_start[centre + 1]; c++) {
      t->out_rows[count] = m->syn1 + (int64_t)m->points[c] * m->stride;
      t->out_labels[count] = 1.0f - (float)m->codes[c];
      count++;
    }
  }
  if (m->negative > 0) {
    t->out_rows[count] = m->syn1neg + (int64_t)centre * m->stride;
    t->out_labels[count] = 1.0f;
    count++;
    for (int32_t n = 0; n < m->negative; n++) {
      uint32_t draw = next_random(t) >> 1;
      int32_t word = m->guide[draw >> m->guide_shift];
      while (m->cumulative[word] <= draw) word++;
      if (word == centre) continue;
      t->out_rows[count] = m->syn1neg + (int64_t)word * m->stride;
      t->out_labels[count] = 0.0f;
      count++;
    }
  }
  return count;
}

// The input vector of a word: the mean of its rows.
static void load_input(const Model *m, int32_t word, float *into) {
  const int32_t stride = m->stride;
  const int32_t first = m->row_start[word];
  const int32_t last = m->row_start[word + 1];
  const float *row = m->syn0 + (int64_t)m->rows[first] * stride;
  for (int32_t d = 0; d < stride; d += 4) wasm_v128_store(into + d, wasm_v128_load(row + d));
  if (last - first > 1) {
    for (int32_t r = first + 1; r < last; r++) axpy(1.0f, m->syn0 + (int64_t)m->rows[r] * stride, into, stride);
    v128_t scale = wasm_f32x4_splat(1.0f / (float)(last - first));
    for (int32_t d = 0; d < stride; d += 4) wasm_v128_store(into + d, wasm_f32x4_mul(wasm_v128_load(into + d), scale));
  }
}

static inline float lock_factor(const Model *m, int32_t word) {
  return m->lockf ? m->lockf[word] : 1.0f;
}

// Adds an input's accumulated gradient to each of its rows (fastText and gensim do not divide it),
// scaled by the word's lock factor.
static void store_gradient(const Model *m, int32_t word, const float *grad) {
  const float lock = lock_factor(m, word);
  if (lock == 0.0f) return;
  const int32_t stride = m->stride;
  for (int32_t r = m->row_start[word]; r < m->row_start[word + 1]; r++) {
    axpy(lock, grad, m->syn0 + (int64_t)m->rows[r] * stride, stride);
  }
}

// Skip-gram, one centre: every context input predicts the centre's outputs, one input after the
// other as word2vec.c does (each output row moves before the next input sees it). An input's step is
// applied to its vector at once, so later windows of the sentence see it, and kept in its gradient
// for its rows when it leaves reach.
static void skipgram_window(Thread *t, int32_t ring_size, int32_t i, int32_t from, int32_t to, float alpha) {
  const Model *m = t->model;
  const int32_t stride = m->stride;
  const int32_t outputs = gather_outputs(t, t->sentence[i]);
  float *step = t->hidden_grad;
  double loss = 0;
  int32_t inputs = 0;
  for (int32_t j = from; j < to; j++) {
    if (j == i) continue;
    const float *input = t->input_at[j % ring_size];
    zero(step, stride);
    for (int32_t n = 0; n < outputs; n++) {
      float *out = t->out_rows[n];
      const float g = coefficient(m, dot(input, out, stride), t->out_labels[n], alpha, &loss);
      if (g != 0.0f) exchange(g, out, input, step, stride);
    }
    const float lock = m->subwords ? 1.0f : lock_factor(m, t->sentence[j]);
    if (lock != 0.0f) axpy(lock, step, t->grad_at[j % ring_size], stride);
    inputs++;
  }
  t->loss += loss;
  t->examples += inputs;
}

// CBOW, one centre: the sum or mean of the context inputs predicts the centre's outputs.
static void cbow_window(Thread *t, int32_t ring_size, int32_t i, int32_t from, int32_t to, float alpha) {
  const Model *m = t->model;
  const int32_t stride = m->stride;
  float *hidden = t->hidden;
  float *hidden_grad = t->hidden_grad;
  int32_t inputs = 0;
  zero(hidden, stride);
  for (int32_t j = from; j < to; j++) {
    if (j == i) continue;
    axpy(1.0f, t->input_at[j % ring_size], hidden, stride);
    inputs++;
  }
  if (inputs == 0) return;
  if (m->cbow_mean && inputs > 1) {
    v128_t scale = wasm_f32x4_splat(1.0f / (float)inputs);
    for (int32_t d = 0; d < stride; d += 4) wasm_v128_store(hidden + d, wasm_f32x4_mul(wasm_v128_load(hidden + d), scale));
  }
  const int32_t outputs = gather_outputs(t, t->sentence[i]);
  double loss = 0;
  zero(hidden_grad, stride);
  for (int32_t n = 0; n < outputs; n++) {
    float *out = t->out_rows[n];
    const float g = coefficient(m, dot(hidden, out, stride), t->out_labels[n], alpha, &loss);
    if (g != 0.0f) exchange(g, out, hidden, hidden_grad, stride);
  }
  // gensim: with a summed context the error is shared out over the inputs; with a mean each
  // input takes all of it (as word2vec.c).
  const float share = m->cbow_mean ? 1.0f : 1.0f / (float)inputs;
  for (int32_t j = from; j < to; j++) {
    if (j == i) continue;
    const float lock = m->subwords ? 1.0f : lock_factor(m, t->sentence[j]);
    if (lock != 0.0f) axpy(share * lock, hidden_grad, t->grad_at[j % ring_size], stride);
  }
  t->loss += loss;
  t->examples += 1;
}

// Makes sentence position p reachable through its ring slot: a Word2Vec word's row itself (updated
// in place, scaled by its lock factor), or a FastText word's mean of rows with a gradient
// accumulator that leave_reach adds back, scaled the same way.
static void enter_reach(Thread *t, int32_t ring_size, int32_t p) {
  const Model *m = t->model;
  const int32_t slot = p % ring_size;
  const int32_t word = t->sentence[p];
  if (!m->subwords) {
    float *row = m->syn0 + (int64_t)m->rows[m->row_start[word]] * m->stride;
    t->input_at[slot] = row;
    t->grad_at[slot] = row;
    return;
  }
  float *input = t->ring_input + slot * m->stride;
  float *grad = t->ring_grad + slot * m->stride;
  load_input(m, word, input);
  zero(grad, m->stride);
  t->input_at[slot] = input;
  t->grad_at[slot] = grad;
}

static void leave_reach(Thread *t, int32_t ring_size, int32_t p) {
  const Model *m = t->model;
  if (!m->subwords) return;  // updated in place already
  store_gradient(m, t->sentence[p], t->grad_at[p % ring_size]);
}

// Trains on one down-sampled sentence t->sentence[0..length).
static void train_sentence(Thread *t, int32_t length, float alpha) {
  const Model *m = t->model;
  const int32_t window = m->window;
  const int32_t ring_size = 2 * window + 1;
  int32_t entered = 0;  // positions [0, entered) are reachable through the ring
  int32_t left = 0;     // positions [0, left) have given their gradient back
  for (int32_t i = 0; i < length; i++) {
    const int32_t reach_end = i + window + 1 < length ? i + window + 1 : length;
    // A position leaves reach before its ring slot is reused by one entering it.
    while (left < i - window) leave_reach(t, ring_size, left++);
    while (entered < reach_end) enter_reach(t, ring_size, entered++);
    // Randomly shrunk window (word2vec.c's b): nearer words are used more often.
    const int32_t reduce = (int32_t)(next_random(t) % (uint32_t)window);
    const int32_t from = i - window + reduce > 0 ? i - window + reduce : 0;
    const int32_t to = i + window + 1 - reduce < length ? i + window + 1 - reduce : length;
    if (m->cbow) cbow_window(t, ring_size, i, from, to, alpha);
    else skipgram_window(t, ring_size, i, from, to, alpha);
  }
  while (left < length) leave_reach(t, ring_size, left++);
}

// Trains on a job: vocabulary ids with -1 between sentences. The learning rate falls linearly from
// alpha_start to alpha_end over the job. Returns the in-vocabulary words processed.
__attribute__((export_name("train_job")))
int32_t train_job(Thread *t, const int32_t *tokens, int32_t count, float alpha_start, float alpha_end) {
  const Model *m = t->model;
  const int32_t max_sentence = t->max_sentence;
  int32_t words = 0;
  int32_t length = 0;
  float alpha = alpha_start;
  const float alpha_step = count > 0 ? (alpha_end - alpha_start) / (float)count : 0.0f;
  for (int32_t p = 0; p <= count; p++) {
    const int32_t id = p < count ? tokens[p] : -1;
    if (id >= 0) {
      words++;
      if (next_random(t) <= m->keep[id] && length < max_sentence) t->sentence[length++] = id;
      continue;
    }
    if (length > 1) train_sentence(t, length, alpha);
    t->trained_words += length;
    length = 0;
    alpha = alpha_start + alpha_step * (float)p;
  }
  return words;
}
