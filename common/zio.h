/*
 * zio — read a file that may be zstd-compressed, as a byte stream or as lines.
 *
 * Compression is detected from the content (the zstd frame magic), not from
 * the name, and decompressed in a streaming fashion: memory stays bounded by
 * the buffer sizes whatever the file size. A truncated or corrupt zstd stream
 * is an error naming the file, never a silent short read.
 *
 * Does not: write files, seek, or guess text encodings.
 */
#ifndef MEDKG_ZIO_H
#define MEDKG_ZIO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct zfile {
	char *path;
	int fd;
	int is_zstd;
	void *dstream;           /* ZSTD_DStream *, when is_zstd */
	unsigned char *in;       /* raw input buffer */
	size_t in_len, in_pos;
	int in_eof;
	size_t frame_left;       /* last ZSTD_decompressStream result: 0 = frame complete */
	_Atomic uint64_t raw_read; /* bytes of the file consumed so far (for progress) */
	uint64_t raw_size;       /* file size, 0 if unknown (pipe) */
	size_t line;             /* when > 0, errors name this input line */
	struct zprefetch *ahead; /* decompression thread, for large zstd files */
};

/* Open path ("-" is standard input). A zstd file larger than a few MiB is
 * decompressed by a second thread, a few MiB ahead of the reader
 * (MEDKG_PREFETCH=0: never, everything on the calling thread; =1: for every
 * zstd file).
 * @return 0, or -1 after error() naming it. */
int zfile_open(struct zfile *z, const char *path);
/* Read up to n decompressed bytes. @return bytes read, 0 at end, -1 on error. */
ssize_t zfile_read(struct zfile *z, void *dst, size_t n);
/* Release what z holds; accepts a zeroed or already closed struct. */
void zfile_close(struct zfile *z);

/* Read the whole (decompressed) file into a NUL-terminated buffer owned by the
 * caller. @return 0 or -1 (error reported). max bounds the size (0: 1 GiB). */
int zfile_slurp(const char *path, char **out, size_t *len, size_t max);

/* Line reader over a zfile. Lines are returned without "\n" (and "\r\n"), NUL
 * terminated, pointing into the reader's buffer: valid until the next call.
 * The last line may lack its newline. */
struct lineio {
	struct zfile z;
	char *buf;
	size_t cap, start, end;
	int eof;
	size_t lineno;           /* 1-based number of the line last returned */
	uint64_t line_offset;    /* byte offset (decompressed) where that line starts */
	uint64_t base;           /* byte offset of buf[0] */
	size_t max_line;         /* longest line accepted (default 256 MiB) */
};

/* @return 0, or -1 after error() naming the file. */
int lineio_open(struct lineio *r, const char *path);
/* @return 1 with a line, 0 at end of file, -1 on error (reported, with the
 * file and line number). */
int lineio_next(struct lineio *r, char **line, size_t *len);
void lineio_close(struct lineio *r);

/* Given a base name like "dir/MRCONSO.RRF", find "dir/MRCONSO.RRF" or
 * "dir/MRCONSO.RRF.zst". @return a malloc'd path, or NULL if neither exists. */
char *path_with_zst(const char *base);

#endif
