/* The machine's peak, measured rather than looked up (BENCHMARKS.md):
 *   gcc -O3 -funroll-loops -mavx512f -mfma bench/peak.c -o /tmp/peak && /tmp/peak
 * - the clock: a chain of dependent integer adds, one per cycle;
 * - f64 fused multiply-adds on 512-bit vectors, 12 independent chains (enough to hide the
 *   latency), in GFLOP/s (2 flops per lane), and the same on 256-bit vectors. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    long n = 1000000000, a = 0;
    double t = now();
    for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0" : "+r"(a));
    double ghz = n / (now() - t) / 1e9;
    printf("clock (dependent adds): %.2f GHz\n", ghz);

    __m512d acc[12];
    for (int k = 0; k < 12; k++) acc[k] = _mm512_set1_pd(k * 0.001);
    __m512d m = _mm512_set1_pd(0.9999999), c = _mm512_set1_pd(1e-9);
    long it = 100000000;
    t = now();
    for (long i = 0; i < it; i++)
        for (int k = 0; k < 12; k++) acc[k] = _mm512_fmadd_pd(acc[k], m, c);
    double dt = now() - t, s = 0;
    for (int k = 0; k < 12; k++) s += _mm512_reduce_add_pd(acc[k]);
    double gflops = it * 12.0 * 8 * 2 / dt / 1e9;
    printf("f64 FMA, 512-bit: %.1f GFLOP/s = %.2f per cycle (f32: twice) [%g]\n", gflops,
           gflops / ghz / 16, s);

    __m256d acc2[12];
    for (int k = 0; k < 12; k++) acc2[k] = _mm256_set1_pd(k * 0.001);
    __m256d m2 = _mm256_set1_pd(0.9999999), c2 = _mm256_set1_pd(1e-9);
    t = now();
    for (long i = 0; i < it; i++)
        for (int k = 0; k < 12; k++) acc2[k] = _mm256_fmadd_pd(acc2[k], m2, c2);
    dt = now() - t;
    double out[4];
    _mm256_storeu_pd(out, acc2[0]);
    printf("f64 FMA, 256-bit: %.1f GFLOP/s [%g]\n", it * 12.0 * 4 * 2 / dt / 1e9, out[0]);
    return 0;
}
