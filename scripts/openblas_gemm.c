/* wide-mlp's five matrix products through OpenBLAS's cblas_sgemm, to compare with gradus's
 * dispatcher (docs/PERFORMANCE.md, "GEMM": OpenBLAS). Row-major, the layouts of the tape:
 * X·W1, H1·W2 (NN), G2·W2ᵀ (NT), H1ᵀ·G2 and Xᵀ·G1 (TN). Prints the best and the median of
 * 200 calls after 20 warm-up calls, per product, for the thread count given.
 *
 *   apt-get install libopenblas-dev
 *   gcc -O2 -o /tmp/openblas_gemm scripts/openblas_gemm.c \
 *       -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas
 *   /tmp/openblas_gemm 1; /tmp/openblas_gemm 2
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    openblas_set_num_threads(threads);
    /* m, k, n, A transposed, B transposed */
    const int shapes[5][5] = {{256, 784, 512, 0, 0}, {256, 512, 512, 0, 0}, {256, 512, 512, 0, 1},
                              {512, 256, 512, 1, 0}, {784, 256, 512, 1, 0}};
    const char *names[5] = {"X·W1", "H1·W2", "G2·W2ᵀ", "H1ᵀ·G2", "Xᵀ·G1"};
    enum { CAP = 1 << 20, WARM = 20, CALLS = 200 };
    float *a = malloc(sizeof(float) * CAP), *b = malloc(sizeof(float) * CAP);
    float *c = malloc(sizeof(float) * CAP);
    for (int i = 0; i < CAP; i++) {
        a[i] = (i % 1000 - 500) / 700.f;
        b[i] = (i * 7 % 1000 - 500) / 700.f;
    }
    double total = 0;
    for (int s = 0; s < 5; s++) {
        int m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
        int ta = shapes[s][3], tb = shapes[s][4];
        double t[CALLS];
        for (int r = 0; r < WARM + CALLS; r++) {
            double t0 = now();
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        m, n, k, 1.f, a, ta ? m : k, b, tb ? k : n, 0.f, c, n);
            if (r >= WARM) t[r - WARM] = now() - t0;
        }
        qsort(t, CALLS, sizeof(double), by_value);
        double flop = 2.0 * m * n * k;
        total += t[CALLS / 2];
        printf("%-10s best %6.0f us %6.1f GFLOP/s   median %6.0f us %6.1f GFLOP/s\n", names[s],
               t[0] * 1e6, flop / t[0] / 1e9, t[CALLS / 2] * 1e6, flop / t[CALLS / 2] / 1e9);
    }
    printf("five products, sum of medians: %.0f us (%d threads)\n", total * 1e6, threads);
    free(a);
    free(b);
    free(c);
    return 0;
}
