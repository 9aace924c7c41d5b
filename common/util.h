/*
 * util — the few things every module needs: allocation that aborts on
 * out-of-memory, error/warning/info reporting, and a clock.
 *
 * Library code reports a failure once, with error(), and returns -1 (or NULL)
 * to its caller; only the command front ends decide to exit. error() keeps the
 * last message so tests can assert on it. Nothing here exits except the x*
 * allocators on out-of-memory.
 */
#ifndef MEDKG_UTIL_H
#define MEDKG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define MK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MK_PRINTF(a, b)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate or abort with a message: never return NULL. */
void *xmalloc(size_t n);
/* Abort with the message of a failed allocation of n bytes (for allocators
 * other than these, such as a library's). */
void die_oom(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* n bytes aligned to align (a power of two, at least sizeof(void *)); n is
 * rounded up to a multiple of align. Free with free(). Never NULL. */
void *xaligned_alloc(size_t align, size_t n);
/* Grow *p (an array of *cap elements of size elt) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elt);
#define XGROW(p, cap, need) xgrow((void **)&(p), &(cap), (need), sizeof(*(p)))

/*
 * Verbosity: -1 silent (tests), 0 quiet (-q: errors only), 1 normal, 2 verbose.
 * Errors print at levels >= 0; info() at >= 1; debug() at >= 2.
 */
extern int log_level;

/* Report a failure: "medkg: error: <msg>" on stderr. @return -1 always. */
int error(const char *fmt, ...) MK_PRINTF(1, 2);
void warning(const char *fmt, ...) MK_PRINTF(1, 2);
void info(const char *fmt, ...) MK_PRINTF(1, 2);
void debug(const char *fmt, ...) MK_PRINTF(1, 2);
/* While quiet is set, error() keeps its message (last_error) without
 * printing it: for a caller that may make the error a warning (a lenient
 * mode skipping what failed). Not for threads. @return the setting before. */
int error_quiet(int quiet);
/* The text of the last error() (no prefix), or "" if none since the reset. */
const char *last_error(void);
void last_error_reset(void);

/* Seconds since an arbitrary epoch, monotonic. */
double now_seconds(void);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void utc_timestamp(char *out, size_t n);

#endif
