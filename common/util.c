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

static void die_oom(size_t n)
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

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof last_msg, fmt, ap);
	va_end(ap);
	if (log_level >= 0)
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

int split_fields(char *s, size_t len, char sep, char **fields, int max)
{
	int n = 0;
	char *end = s + len, *p = s;
	for (;;) {
		char *q = memchr(p, sep, (size_t)(end - p));
		if (n < max)
			fields[n] = p;
		n++;
		if (!q)
			break;
		*q = '\0';
		p = q + 1;
	}
	return n;
}

char **strlist_add(char **list, const char *item)
{
	size_t n = strlist_len(list);
	list = xrealloc(list, (n + 2) * sizeof(*list));
	list[n] = xstrdup(item);
	list[n + 1] = NULL;
	return list;
}

char **strlist_parse(const char *s)
{
	char **list = xcalloc(1, sizeof(*list));
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n) {
			char *item = xstrndup(s, n);
			list = strlist_add(list, item);
			free(item);
		}
		if (!e)
			break;
		s = e + 1;
	}
	return list;
}

char **strlist_add_csv(char **list, const char *csv)
{
	char **items = strlist_parse(csv);
	if (!list)
		list = xcalloc(1, sizeof(*list));
	for (size_t i = 0; items[i]; i++)
		list = strlist_add(list, items[i]);
	strlist_free(items);
	return list;
}

size_t strlist_len(char *const *list)
{
	size_t n = 0;
	while (list && list[n])
		n++;
	return n;
}

int strlist_has(char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

void strlist_free(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

int utf8_valid(const char *str, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		/* fast path: 8 ASCII bytes with no NUL */
		if (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL) &&
			    !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;
		if (c == 0)
			goto fail;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1, cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2, cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3, cp = c & 0x07;
		} else {
			goto fail;
		}
		if (i + k >= n)
			goto fail;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			goto fail;
		i += k + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

FILE *tmpfile_open(const char *path, char *tmp, size_t n)
{
	snprintf(tmp, n, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		error("%s: cannot write: %s", tmp, strerror(errno));
	return f;
}

int tmpfile_commit(FILE *f, const char *tmp, const char *path)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		remove(tmp);
		return error("%s: write failed: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		remove(tmp);
		return error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
	}
	return 0;
}
