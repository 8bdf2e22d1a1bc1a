/* an-rng.h: counter-based random numbers (ARCHITECTURE.md contract 5).
 *
 * Every random number is a pure function of (seed, stream, index): the same on every backend,
 * in every thread order and after a resume. stream names what the numbers are for (AN_RNG_*)
 * plus the layer and step; index is the element's logical position. tools/torch_golden.py
 * implements the same functions in Python for the golden files.
 */
#pragma once

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define AN_RNG_FN static inline __host__ __device__
#else
#define AN_RNG_FN static inline
#endif

enum {
  AN_RNG_INIT = 1,     /* initial weights: stream = AN_RNG_STREAM (AN_RNG_INIT, param, 0) */
  AN_RNG_DROPOUT = 2,  /* dropout masks: (AN_RNG_DROPOUT, layer, step) */
  AN_RNG_SHUFFLE = 3,  /* epoch order: (AN_RNG_SHUFFLE, 0, epoch) */
  AN_RNG_AUGMENT = 4,  /* crops, flips, colour jitter: (AN_RNG_AUGMENT, 0, epoch) */
  AN_RNG_SPLIT = 5,    /* train/validation split: (AN_RNG_SPLIT, 0, 0) */
};

#define AN_RNG_STREAM(kind, layer, step)                                                        \
  ((((uint64_t) (kind)) << 56) | ((((uint64_t) (layer)) & 0xffffu) << 40) |                     \
   (((uint64_t) (step)) & 0xffffffffffull))

/* splitmix64's finaliser */
AN_RNG_FN uint64_t
an_rng_mix64 (uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

AN_RNG_FN uint64_t
an_rng_u64 (uint64_t seed, uint64_t stream, uint64_t index)
{
  uint64_t key = an_rng_mix64 (seed ^ an_rng_mix64 (stream + 0x9E3779B97F4A7C15ull));
  return an_rng_mix64 (key + index * 0x9E3779B97F4A7C15ull);
}

/* uniform in [0, 1) with 24 random bits: exact in float */
AN_RNG_FN float
an_rng_uniform (uint64_t seed, uint64_t stream, uint64_t index)
{
  return (float) (an_rng_u64 (seed, stream, index) >> 40) * (1.0f / 16777216.0f);
}

/* standard normal (Box-Muller on indices 2i and 2i+1), computed in double */
AN_RNG_FN double
an_rng_normal (uint64_t seed, uint64_t stream, uint64_t index)
{
  double u1 = ((double) (an_rng_u64 (seed, stream, 2 * index) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  double u2 = (double) (an_rng_u64 (seed, stream, 2 * index + 1) >> 11) * (1.0 / 9007199254740992.0);
  return sqrt (-2.0 * log (u1)) * cos (6.283185307179586 * u2);
}
