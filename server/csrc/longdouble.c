/*
 * Long double arithmetic for INCRBYFLOAT (and later HINCRBYFLOAT).
 *
 * Redis computes these increments in C `long double` (80-bit x87 extended precision
 * on x86_64) and prints the sum with "%.17Lf". Rust has no extended-precision float,
 * and f64 gives visibly different results (10.5 + 0.1 prints as 10.6 in Redis but
 * 10.59999999999999964 with doubles), so this small helper does the parse, the add
 * and the formatting in C with the platform's own strtold/snprintf.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest textual float accepted (and the size of the output buffer Rust passes). */
#define CINNABAR_LD_MAX_CHARS 5120

/*
 * Parses all of s[0..len) as a long double. Rejects what Redis rejects: empty or
 * over-long input, leading whitespace, trailing garbage (embedded NULs included),
 * NaN, and values that overflow to infinity or underflow to zero.
 */
static int parse_ld(const char *s, size_t len, long double *out) {
    char buf[CINNABAR_LD_MAX_CHARS];
    char *end;
    long double v;

    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    v = strtold(buf, &end);
    if ((size_t)(end - buf) != len) return 0;
    if (errno == ERANGE && (isinf(v) || v == 0.0L)) return 0;
    if (errno == EINVAL || isnan(v)) return 0;
    *out = v;
    return 1;
}

/*
 * value + incr, formatted into out (at least CINNABAR_LD_MAX_CHARS bytes) as
 * "%.17Lf" without trailing fractional zeros, "-0" printed as "0".
 * Returns the length, -1 if value is not a float, -2 if incr is not a float,
 * -3 if the sum is NaN or infinite.
 */
long cinnabar_ld_incr(const char *value, size_t value_len, const char *incr, size_t incr_len, char *out) {
    long double a, b, sum;
    int n;

    if (!parse_ld(value, value_len, &a)) return -1;
    if (!parse_ld(incr, incr_len, &b)) return -2;
    sum = a + b;
    if (isnan(sum) || isinf(sum)) return -3;
    n = snprintf(out, CINNABAR_LD_MAX_CHARS, "%.17Lf", sum);
    if (n < 0 || n >= CINNABAR_LD_MAX_CHARS) return -3;
    if (memchr(out, '.', (size_t)n) != NULL) {
        while (out[n - 1] == '0') n--;
        if (out[n - 1] == '.') n--;
    }
    if (n == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        n = 1;
    }
    return n;
}
