#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include "zio.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define RAW_CHUNK (1u << 20)
#define AHEAD_CHUNK ((size_t)2 << 20)   /* decompressed bytes per prefetched chunk */
#define AHEAD_SLOTS 4
#define AHEAD_MIN_SIZE ((uint64_t)4 << 20) /* smaller files are read synchronously */

/* The decompression thread's state: a ring of decompressed chunks. Errors
 * found by the thread are kept as text and reported by the reader, so only
 * the reader's thread ever calls error(). */
struct zprefetch {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *slot[AHEAD_SLOTS];
	size_t len[AHEAD_SLOTS];
	int head, count;         /* the reader takes slot[head]; count are full */
	int done, stop;          /* producer finished; reader closing */
	char err[256];           /* non-empty: the producer failed */
	size_t pos;              /* reader's offset into slot[head] */
	int holding;             /* reader holds slot[head] */
};

static void prefetch_start(struct zfile *z);

static int zerror(struct zfile *z, const char *what)
{
	if (z->line)
		return error("%s:%zu: %s", z->path, z->line, what);
	return error("%s: %s", z->path, what);
}

/* Record a failure: in the reader's thread through error(), in the
 * decompression thread as text for the reader to report. */
static int zfail(struct zfile *z, const char *what)
{
	if (z->ahead) {
		snprintf(z->ahead->err, sizeof z->ahead->err, "%s", what);
		return -1;
	}
	return zerror(z, what);
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
			return zfail(z, strerror(errno));
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
	prefetch_start(z);
	return 0;
}

static ssize_t read_direct(struct zfile *z, void *dst, size_t n)
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
	/* At most a block (128 KiB) per call: zstd gives nothing of a call that
	 * fails, so what came before a corrupt block is handed out first, and
	 * the error names the line it reached. */
	ZSTD_outBuffer out = { dst, n < ZSTD_BLOCKSIZE_MAX ? n : ZSTD_BLOCKSIZE_MAX, 0 };
	for (;;) {
		if (z->in_pos == z->in_len) {
			if (z->in_eof) {
				if (z->frame_left != 0)
					return zfail(z, "truncated zstd stream (file ends inside a frame)");
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
			return zfail(z, ZSTD_getErrorName(r));
		z->frame_left = r;
		if (out.pos > 0)
			return (ssize_t)out.pos;
	}
}

static void *prefetch_main(void *arg)
{
	struct zfile *z = arg;
	struct zprefetch *a = z->ahead;
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (a->count == AHEAD_SLOTS && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop)
			break;
		int i = (a->head + a->count) % AHEAD_SLOTS;
		pthread_mutex_unlock(&a->mu);
		/* fill slot i completely (or to the end of the file) */
		size_t got = 0;
		ssize_t k = 1;
		while (got < AHEAD_CHUNK && (k = read_direct(z, a->slot[i] + got, AHEAD_CHUNK - got)) > 0)
			got += (size_t)k;
		pthread_mutex_lock(&a->mu);
		a->len[i] = got;
		if (got)
			a->count++;
		if (k <= 0) {
			a->done = 1;
			pthread_cond_broadcast(&a->cv);
			break;
		}
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void prefetch_start(struct zfile *z)
{
	/* MEDKG_PREFETCH: 0 never, 1 for every zstd file (tests), unset: large files */
	const char *env = getenv("MEDKG_PREFETCH");
	int mode = env && *env ? atoi(env) : -1;
	if (!z->is_zstd || mode == 0 || (mode < 0 && z->raw_size < AHEAD_MIN_SIZE))
		return;
	struct zprefetch *a = xcalloc(1, sizeof(*a));
	for (int i = 0; i < AHEAD_SLOTS; i++)
		a->slot[i] = xmalloc(AHEAD_CHUNK);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	z->ahead = a;
	if (pthread_create(&a->thread, NULL, prefetch_main, z) != 0) {
		z->ahead = NULL; /* fall back to reading on this thread */
		for (int i = 0; i < AHEAD_SLOTS; i++)
			free(a->slot[i]);
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		free(a);
	}
}

static void prefetch_stop(struct zfile *z)
{
	struct zprefetch *a = z->ahead;
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	for (int i = 0; i < AHEAD_SLOTS; i++)
		free(a->slot[i]);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
	z->ahead = NULL;
}

ssize_t zfile_read(struct zfile *z, void *dst, size_t n)
{
	struct zprefetch *a = z->ahead;
	if (!a)
		return read_direct(z, dst, n);
	pthread_mutex_lock(&a->mu);
	if (a->holding && a->pos == a->len[a->head]) {
		/* give the finished slot back to the producer */
		a->holding = 0;
		a->head = (a->head + 1) % AHEAD_SLOTS;
		a->count--;
		a->pos = 0;
		pthread_cond_broadcast(&a->cv);
	}
	while (!a->count && !a->done)
		pthread_cond_wait(&a->cv, &a->mu);
	if (!a->count) {
		int failed = a->err[0] != '\0';
		pthread_mutex_unlock(&a->mu);
		return failed ? zerror(z, a->err) : 0;
	}
	a->holding = 1;
	char *src = a->slot[a->head] + a->pos;
	size_t k = a->len[a->head] - a->pos;
	pthread_mutex_unlock(&a->mu);
	/* the slot is ours until we give it back: copy without the lock */
	if (k > n)
		k = n;
	memcpy(dst, src, k);
	a->pos += k;
	return (ssize_t)k;
}

void zfile_close(struct zfile *z)
{
	prefetch_stop(z);
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
			r->line_offset = r->base + r->start;
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
			r->line_offset = r->base + r->start;
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
			r->base += r->start;
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
