#define _POSIX_C_SOURCE 200809L
#include "zio.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define RAW_CHUNK (1u << 20)

static int zerror(struct zfile *z, const char *what)
{
	if (z->line)
		return error("%s:%zu: %s", z->path, z->line, what);
	return error("%s: %s", z->path, what);
}

static int fill_raw(struct zfile *z)
{
	if (z->in_eof)
		return 0;
	if (z->in_pos < z->in_len) {
		memmove(z->in, z->in + z->in_pos, z->in_len - z->in_pos);
		z->in_len -= z->in_pos;
	} else {
		z->in_len = 0;
	}
	z->in_pos = 0;
	while (z->in_len < RAW_CHUNK) {
		ssize_t n = read(z->fd, z->in + z->in_len, RAW_CHUNK - z->in_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error("%s: read failed: %s", z->path, strerror(errno));
		}
		if (n == 0) {
			z->in_eof = 1;
			break;
		}
		z->in_len += (size_t)n;
		z->raw_read += (uint64_t)n;
		if (z->in_len >= 4 && z->raw_size == 0)
			break; /* a pipe: do not wait for a full chunk */
	}
	return 0;
}

int zfile_open(struct zfile *z, const char *path)
{
	memset(z, 0, sizeof(*z));
	z->fd = -1;
	z->path = xstrdup(path);
	if (!strcmp(path, "-")) {
		z->fd = 0;
	} else {
		z->fd = open(path, O_RDONLY);
		if (z->fd < 0) {
			int e = errno;
			free(z->path);
			z->path = NULL;
			return error("%s: cannot open: %s", path, strerror(e));
		}
		struct stat st;
		if (fstat(z->fd, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				zfile_close(z);
				return error("%s: is a directory, expected a file", path);
			}
			if (S_ISREG(st.st_mode))
				z->raw_size = (uint64_t)st.st_size;
		}
#ifdef POSIX_FADV_SEQUENTIAL
		posix_fadvise(z->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	}
	z->in = xmalloc(RAW_CHUNK);
	if (fill_raw(z) < 0) {
		zfile_close(z);
		return -1;
	}
	static const unsigned char magic[4] = { 0x28, 0xB5, 0x2F, 0xFD };
	if (z->in_len >= 4 && !memcmp(z->in, magic, 4)) {
		z->is_zstd = 1;
		z->dstream = ZSTD_createDStream();
		if (!z->dstream) {
			zfile_close(z);
			return error("%s: cannot create zstd stream", path);
		}
		ZSTD_initDStream(z->dstream);
	}
	return 0;
}

ssize_t zfile_read(struct zfile *z, void *dst, size_t n)
{
	if (!z->is_zstd) {
		for (;;) {
			if (z->in_pos < z->in_len) {
				size_t k = z->in_len - z->in_pos;
				if (k > n)
					k = n;
				memcpy(dst, z->in + z->in_pos, k);
				z->in_pos += k;
				return (ssize_t)k;
			}
			if (z->in_eof)
				return 0;
			if (fill_raw(z) < 0)
				return -1;
		}
	}
	ZSTD_outBuffer out = { dst, n, 0 };
	for (;;) {
		if (z->in_pos == z->in_len) {
			if (z->in_eof) {
				if (z->frame_left != 0)
					return zerror(z, "truncated zstd stream (file ends inside a frame)");
				return 0;
			}
			if (fill_raw(z) < 0)
				return -1;
			continue;
		}
		ZSTD_inBuffer in = { z->in, z->in_len, z->in_pos };
		size_t r = ZSTD_decompressStream(z->dstream, &out, &in);
		z->in_pos = in.pos;
		if (ZSTD_isError(r))
			return zerror(z, ZSTD_getErrorName(r));
		z->frame_left = r;
		if (out.pos > 0)
			return (ssize_t)out.pos;
	}
}

void zfile_close(struct zfile *z)
{
	if (z->dstream)
		ZSTD_freeDStream(z->dstream);
	if (z->fd > 0)
		close(z->fd);
	free(z->in);
	free(z->path);
	memset(z, 0, sizeof(*z));
	z->fd = -1;
}

int zfile_slurp(const char *path, char **out, size_t *len, size_t max)
{
	struct zfile z;
	if (zfile_open(&z, path) < 0)
		return -1;
	if (!max)
		max = (size_t)1 << 30;
	size_t cap = 1 << 16, n = 0;
	char *p = xmalloc(cap);
	for (;;) {
		if (cap - n < 4096) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		ssize_t k = zfile_read(&z, p + n, cap - n - 1);
		if (k < 0)
			goto fail;
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max) {
			error("%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	p[n] = '\0';
	zfile_close(&z);
	*out = p;
	*len = n;
	return 0;
fail:
	free(p);
	zfile_close(&z);
	return -1;
}

int lineio_open(struct lineio *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if (zfile_open(&r->z, path) < 0)
		return -1;
	r->cap = RAW_CHUNK * 2;
	r->buf = xmalloc(r->cap);
	r->max_line = (size_t)256 << 20;
	return 0;
}

int lineio_next(struct lineio *r, char **line, size_t *len)
{
	size_t scanned = r->start;
	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		if (nl) {
			char *s = r->buf + r->start;
			size_t n = (size_t)(nl - s);
			*nl = '\0';
			if (n && s[n - 1] == '\r')
				s[--n] = '\0';
			r->start = (size_t)(nl - r->buf) + 1;
			r->lineno++;
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			char *s = r->buf + r->start;
			size_t n = r->end - r->start;
			r->buf[r->end] = '\0'; /* room kept by the read below */
			if (n && s[n - 1] == '\r')
				s[--n] = '\0';
			r->start = r->end;
			r->lineno++;
			*line = s;
			*len = n;
			return 1;
		}
		/* Need more data: slide the partial line down, grow if full. */
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		scanned = r->end;
		if (r->cap - r->end < RAW_CHUNK / 2) {
			if (r->end >= r->max_line)
				return error("%s:%zu: line longer than %zu bytes", r->z.path,
					     r->lineno + 1, r->max_line);
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
		r->z.line = r->lineno + 1;
		ssize_t k = zfile_read(&r->z, r->buf + r->end, r->cap - r->end - 1);
		if (k < 0)
			return -1;
		if (k == 0)
			r->eof = 1;
		r->end += (size_t)k;
	}
}

void lineio_close(struct lineio *r)
{
	zfile_close(&r->z);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

char *path_with_zst(const char *base)
{
	struct stat st;
	if (stat(base, &st) == 0)
		return xstrdup(base);
	size_t n = strlen(base);
	char *p = xmalloc(n + 5);
	memcpy(p, base, n);
	memcpy(p + n, ".zst", 5);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return NULL;
}
