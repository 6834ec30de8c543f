// Generates ssemath-vectors.txt from the host CPU: gcc -O0 -msse4.1 ssemath-vectors.c && ./a.out
// Each line: OP MXCSR A B RESULT FLAGS (hex); the exceptions are masked, so every result is the masked response.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <smmintrin.h>
static const uint32_t S[] = {0, 0x80000000, 0x3f800000, 0xbf800000, 0x40400000, 0x3eaaaaab, 0x7f7fffff,
    0x00800000, 0x00000100, 0x80000100, 0x00ffffff, 0x3f000001, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001,
    0x7149f2ca, 0x0da24260, 0x4f000000, 0xcf000001, 0x3fc00000, 0xc0200000};
static const uint64_t D[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x4008000000000000ull, 0x3fd5555555555555ull, 0x7fefffffffffffffull, 0x0010000000000000ull,
    0x0000000000000100ull, 0x8000000000000100ull, 0x001fffffffffffffull, 0x3fe0000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000001ull, 0x7ff0000000000001ull,
    0x46293e5939a08ceaull, 0x3949f623d5a8a733ull, 0x43e0000000000000ull, 0xc1e0000000200000ull,
    0x3ff8000000000000ull, 0xc004000000000000ull, 0x36a0000000000000ull, 0x47efffffe0000000ull};
#define NS (sizeof S / sizeof S[0])
#define ND (sizeof D / sizeof D[0])
static float fs(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static double fd(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }
static uint32_t bs(__m128 v) { uint32_t u; float f = _mm_cvtss_f32(v); memcpy(&u, &f, 4); return u; }
static uint64_t bd(__m128d v) { uint64_t u; double f = _mm_cvtsd_f64(v); memcpy(&u, &f, 8); return u; }
static unsigned csr;
static void out(const char *op, uint64_t a, uint64_t b, uint64_t r) {
    printf("%s %x %llx %llx %llx %x\n", op, csr, (unsigned long long) a, (unsigned long long) b, (unsigned long long) r, _mm_getcsr() & 0x3f);
}
int main(void) {
    static const unsigned modes[] = {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9f80, 0x1fc0};
    for (int mi = 0; mi < 6; mi++) {
        csr = modes[mi];
        for (unsigned i = 0; i < NS; i++) {
            __m128 a = _mm_set_ss(fs(S[i]));
            #define U(name, expr) _mm_setcsr(csr); out(name, S[i], 0, expr)
            U("sqrtss", bs(_mm_sqrt_ss(a)));
            U("cvtss2si", (uint32_t) _mm_cvtss_si32(a));
            U("cvttss2si", (uint32_t) _mm_cvttss_si32(a));
            U("cvtss2si64", (uint64_t) _mm_cvtss_si64(a));
            U("cvtss2sd", bd(_mm_cvtss_sd(_mm_setzero_pd(), a)));
            U("roundss4", bs(_mm_round_ss(_mm_setzero_ps(), a, 4)));
            U("roundss1", bs(_mm_round_ss(_mm_setzero_ps(), a, 1)));
            U("roundss10", bs(_mm_round_ss(_mm_setzero_ps(), a, 10)));
            U("cvtsi2ss", bs(_mm_cvtsi32_ss(_mm_setzero_ps(), (int) S[i])));
            for (unsigned j = 0; j < NS; j++) {
                __m128 b = _mm_set_ss(fs(S[j]));
                #define B(name, expr) _mm_setcsr(csr); out(name, S[i], S[j], expr)
                B("addss", bs(_mm_add_ss(a, b)));
                B("subss", bs(_mm_sub_ss(a, b)));
                B("mulss", bs(_mm_mul_ss(a, b)));
                B("divss", bs(_mm_div_ss(a, b)));
                if (mi == 0 || mi == 5) {
                    B("minss", bs(_mm_min_ss(a, b)));
                    B("maxss", bs(_mm_max_ss(a, b)));
                    B("cmpltss", bs(_mm_cmplt_ss(a, b)));
                    B("cmpunordss", bs(_mm_cmpunord_ss(a, b)));
                }
            }
        }
        for (unsigned i = 0; i < ND; i++) {
            __m128d a = _mm_set_sd(fd(D[i]));
            #define UD(name, expr) _mm_setcsr(csr); out(name, D[i], 0, expr)
            UD("sqrtsd", bd(_mm_sqrt_sd(a, a)));
            UD("cvtsd2si", (uint32_t) _mm_cvtsd_si32(a));
            UD("cvttsd2si64", (uint64_t) _mm_cvttsd_si64(a));
            UD("cvtsd2ss", bs(_mm_cvtsd_ss(_mm_setzero_ps(), a)));
            UD("roundsd4", bd(_mm_round_sd(_mm_setzero_pd(), a, 4)));
            UD("roundsd2", bd(_mm_round_sd(_mm_setzero_pd(), a, 2)));
            UD("cvtsi642sd", bd(_mm_cvtsi64_sd(_mm_setzero_pd(), (long long) D[i])));
            UD("cvtsi642ss", bs(_mm_cvtsi64_ss(_mm_setzero_ps(), (long long) D[i])));
            for (unsigned j = 0; j < ND; j++) {
                __m128d b = _mm_set_sd(fd(D[j]));
                #define BD(name, expr) _mm_setcsr(csr); out(name, D[i], D[j], expr)
                BD("addsd", bd(_mm_add_sd(a, b)));
                BD("subsd", bd(_mm_sub_sd(a, b)));
                BD("mulsd", bd(_mm_mul_sd(a, b)));
                BD("divsd", bd(_mm_div_sd(a, b)));
                if (mi == 0 || mi == 5) {
                    BD("minsd", bd(_mm_min_sd(a, b)));
                    BD("maxsd", bd(_mm_max_sd(a, b)));
                }
            }
        }
    }
    return 0;
}
