/*
 * vec — the distance and update kernels shared by training and evaluation,
 * private to embed/. Rows are (S) floats, S a multiple of 16, 64-byte
 * aligned, zero past the dimension; every kernel works on whole 16-float
 * blocks with GCC vector types, so it compiles to AVX-512, AVX2 or SSE
 * depending on the clone it is inlined into (VEC_CLONES), with two
 * accumulators to hide the add latency. The order of additions is fixed,
 * so one machine gives bit-identical results run to run.
 *
 * Does not: allocate, or know about models.
 */
#ifndef MEDKG_VEC_H
#define MEDKG_VEC_H

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	!defined(__SANITIZE_ADDRESS__)
#define VEC_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VEC_CLONES
#endif

/* the kernels are always inlined, so the vector-return ABI never applies */
#pragma GCC diagnostic ignored "-Wpsabi"

#define VEC_INLINE static inline __attribute__((always_inline))

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));

VEC_INLINE v16f v_abs(v16f x)
{
	return (v16f)((v16i)x & 0x7fffffff);
}

/* sign(x): +1, -1, or 0 at 0 (so that zero padding stays zero) */
VEC_INLINE v16f v_sign(v16f x)
{
	const v16i one = (v16i)((v16f){ 0 } + 1.0f);
	return (v16f)((x > 0) & one) - (v16f)((x < 0) & one);
}

VEC_INLINE float v_hsum(v16f v)
{
	float s[16];
	__builtin_memcpy(s, &v, sizeof s);
	float a = (s[0] + s[8]) + (s[4] + s[12]), b = (s[1] + s[9]) + (s[5] + s[13]);
	float c = (s[2] + s[10]) + (s[6] + s[14]), d = (s[3] + s[11]) + (s[7] + s[15]);
	return (a + c) + (b + d);
}

/* Ask for the S floats of row x, to be written (x is 64-byte aligned). */
VEC_INLINE void prefetch_row(const float *x, int S)
{
	for (int j = 0; j < S; j += 16)
		__builtin_prefetch(x + j, 1, 3);
}

/* ||q - e||_1 */
VEC_INLINE float v_dist_l1(const float *q, const float *e, int S)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(e, 64);
	v16f s0 = { 0 }, s1 = { 0 };
	int n = S / 16, i = 0;
	for (; i + 1 < n; i += 2) {
		s0 += v_abs(a[i] - b[i]);
		s1 += v_abs(a[i + 1] - b[i + 1]);
	}
	if (i < n)
		s0 += v_abs(a[i] - b[i]);
	return v_hsum(s0 + s1);
}

/* ||q - e||_2 squared */
VEC_INLINE float v_dist_l2sq(const float *q, const float *e, int S)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(e, 64);
	v16f s0 = { 0 }, s1 = { 0 };
	int n = S / 16, i = 0;
	for (; i + 1 < n; i += 2) {
		v16f x = a[i] - b[i], y = a[i + 1] - b[i + 1];
		s0 += x * x;
		s1 += y * y;
	}
	if (i < n) {
		v16f x = a[i] - b[i];
		s0 += x * x;
	}
	return v_hsum(s0 + s1);
}

/* ||x||_2 squared */
VEC_INLINE float v_sumsq(const float *x, int S)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(x, 64);
	v16f s = { 0 };
	for (int i = 0; i < S / 16; i++)
		s += a[i] * a[i];
	return v_hsum(s);
}

/* q = a + sign * r, gq = 0 */
VEC_INLINE void v_query(float *q, float *gq, const float *a, const float *r, float sign, int S)
{
	v16f *x = (v16f *)__builtin_assume_aligned(q, 64);
	v16f *y = (v16f *)__builtin_assume_aligned(gq, 64);
	const v16f *u = (const v16f *)__builtin_assume_aligned(a, 64);
	const v16f *v = (const v16f *)__builtin_assume_aligned(r, 64);
	for (int i = 0; i < S / 16; i++) {
		x[i] = u[i] + sign * v[i];
		y[i] = (v16f){ 0 };
	}
}

/* x *= k */
VEC_INLINE void v_scale(float *x, int S, float k)
{
	v16f *a = (v16f *)__builtin_assume_aligned(x, 64);
	for (int i = 0; i < S / 16; i++)
		a[i] *= k;
}

/* x += k * g; @return the new ||x||^2 */
VEC_INLINE float v_axpy_norm(float *x, const float *g, int S, float k)
{
	v16f *a = (v16f *)__builtin_assume_aligned(x, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(g, 64);
	v16f s = { 0 };
	for (int i = 0; i < S / 16; i++) {
		v16f v = a[i] + k * b[i];
		a[i] = v;
		s += v * v;
	}
	return v_hsum(s);
}

/* The update of one target e of a query q: with g the gradient of the
 * distance at q - e (L1: sign; L2: (q - e) * inv, inv = 1 / ||q - e||),
 * e += k * g and gq += c * g. @return the new ||e||^2. */
VEC_INLINE float v_update_target(const float *q, float *e, float *gq, int S, int norm, float k,
				 float c, float inv)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	v16f *b = (v16f *)__builtin_assume_aligned(e, 64);
	v16f *acc = (v16f *)__builtin_assume_aligned(gq, 64);
	v16f s = { 0 };
	for (int i = 0; i < S / 16; i++) {
		v16f x = a[i] - b[i];
		v16f g = norm == 1 ? v_sign(x) : x * inv;
		acc[i] += c * g;
		v16f v = b[i] + k * g;
		b[i] = v;
		s += v * v;
	}
	return v_hsum(s);
}

/* Accumulate the gradient of one query against a shared target e:
 * g = gradient of the distance at q - e, gq += c * g, G += c * g. */
VEC_INLINE void v_accumulate_grad(const float *q, const float *e, float *gq, float *G, int S,
				  int norm, float c, float inv)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(e, 64);
	v16f *x = (v16f *)__builtin_assume_aligned(gq, 64);
	v16f *y = (v16f *)__builtin_assume_aligned(G, 64);
	for (int i = 0; i < S / 16; i++) {
		v16f t = a[i] - b[i];
		v16f g = c * (norm == 1 ? v_sign(t) : t * inv);
		x[i] += g;
		y[i] += g;
	}
}

#endif
