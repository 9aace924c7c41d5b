#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int log_level = 1;
static char last_msg[1024];

void die_oom(size_t n)
{
	fprintf(stderr, "medkg: fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

void *xaligned_alloc(size_t align, size_t n)
{
	size_t bytes = n ? (n + align - 1) / align * align : align;
	void *p = aligned_alloc(align, bytes);
	if (!p)
		die_oom(bytes);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void **p, size_t *cap, size_t need, size_t elt)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c = c + c / 2 + 16;
	*p = xrealloc(*p, c * elt);
	*cap = c;
}

static void vreport(int min_level, const char *prefix, const char *fmt, va_list ap)
{
	if (log_level < min_level)
		return;
	fprintf(stderr, "medkg: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static int errors_quiet;

int error_quiet(int quiet)
{
	int was = errors_quiet;
	errors_quiet = quiet;
	return was;
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof last_msg, fmt, ap);
	va_end(ap);
	if (log_level >= 0 && !errors_quiet)
		fprintf(stderr, "medkg: error: %s\n", last_msg);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, "warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(1, "", fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(2, "", fmt, ap);
	va_end(ap);
}

const char *last_error(void)
{
	return last_msg;
}

void last_error_reset(void)
{
	last_msg[0] = '\0';
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void utc_timestamp(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
