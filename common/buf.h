/*
 * buf — a growable byte buffer, always NUL-terminated after the first write.
 * The caller owns the struct (buf_init or BUF_INIT) and releases what it holds
 * with buf_release. Not for binary framing: just strings being built.
 */
#ifndef MEDKG_BUF_H
#define MEDKG_BUF_H

#include <stddef.h>
#include "util.h"

struct buf {
	char *p;   /* NULL until the first write */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Make room for n more bytes without changing len. */
void buf_reserve(struct buf *b, size_t n);
void buf_add(struct buf *b, const void *s, size_t n);
void buf_adds(struct buf *b, const char *s);
/* A string literal, its length known at compile time (no strlen): a
 * non-literal does not compile. */
#define buf_add_lit(b, lit) buf_add((b), "" lit, sizeof(lit) - 1)
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) MK_PRINTF(2, 3);
/* Append s[0..n) and a NUL, so that the buffer holds a sequence of C
 * strings. @return the offset of the copy (valid across later growth, unlike
 * a pointer). */
size_t buf_add_str0(struct buf *b, const char *s, size_t n);
/* Append s as a JSON string literal (quotes and escapes included). */
void buf_add_json_str(struct buf *b, const char *s, size_t n);
void buf_reset(struct buf *b);
/* The contents as a C string; "" for an empty buffer (never NULL). */
const char *buf_str(const struct buf *b);
/* Take the contents; the buffer becomes empty. Caller frees. */
char *buf_detach(struct buf *b);

#endif
