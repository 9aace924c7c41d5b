#define _POSIX_C_SOURCE 200809L
#include "fingerprint.h"
#include "buf.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t: a saved state */
#include <xxhash.h>

int file_fingerprint(const char *path, int64_t whole_max, unsigned flags, uint64_t *hash,
		     int64_t *size_out)
{
	assert(whole_max >= FINGERPRINT_SAMPLE);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return error("%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		int e = errno;
		close(fd);
		return error("%s: cannot stat: %s", path, strerror(e));
	}
	const size_t chunk = (size_t)FINGERPRINT_SAMPLE;
	int64_t size = (int64_t)sb.st_size;
	char *b = xmalloc(chunk);
	XXH3_state_t *h = XXH3_createState();
	XXH3_64bits_reset(h);
	ssize_t n;
	if (size > whole_max) {
		if (flags & FINGERPRINT_SIZE)
			XXH3_64bits_update(h, &size, sizeof size);
		if ((n = pread(fd, b, chunk, 0)) > 0)
			XXH3_64bits_update(h, b, (size_t)n);
		if (n >= 0 && (n = pread(fd, b, chunk, (off_t)(size - (int64_t)chunk))) > 0)
			XXH3_64bits_update(h, b, (size_t)n);
	} else {
		while ((n = read(fd, b, chunk)) > 0)
			XXH3_64bits_update(h, b, (size_t)n);
	}
	int rc = 0;
	if (n < 0)
		rc = error("%s: cannot read: %s", path, strerror(errno));
	*hash = XXH3_64bits_digest(h);
	if (size_out)
		*size_out = size;
	XXH3_freeState(h);
	free(b);
	close(fd);
	return rc;
}

/* A fresh XXH3-128 state: zeroed first, so that the bytes reset leaves
 * alone (the custom secret, the tail of the buffer) are the same in every
 * run and a saved state is a function of the bytes hashed. */
static XXH3_state_t *state_new(void)
{
	XXH3_state_t *h = XXH3_createState();
	if (!h)
		die_oom(sizeof(XXH3_state_t));
	memset(h, 0, sizeof(*h));
	XXH3_128bits_reset(h);
	return h;
}

/* A saved state (state_text) of the first `bytes` bytes into h, a fresh
 * state. @return 1, or 0 when it is not one this build can take (another
 * xxhash version, another length, malformed); h is then fresh again. */
static int state_parse(const char *text, uint64_t bytes, XXH3_state_t *h)
{
	unsigned version;
	int at = 0;
	if (!text || sscanf(text, "%u:%n", &version, &at) != 1 || at == 0 ||
	    version != XXH_versionNumber() || strlen(text + at) != 2 * sizeof(*h))
		return 0;
	XXH3_state_t *s = state_new();
	unsigned char *p = (unsigned char *)s;
	int ok = 1;
	for (size_t i = 0; i < sizeof(*s) && ok; i++) {
		unsigned v;
		ok = sscanf(text + at + 2 * i, "%2x", &v) == 1;
		p[i] = (unsigned char)v;
	}
	/* a default-secret state of that length (the secret's address is this
	 * process's, not saved) */
	ok = ok && s->extSecret == NULL && s->useSeed == 0 && s->seed == 0 &&
	     s->secretLimit == h->secretLimit && s->nbStripesPerBlock == h->nbStripesPerBlock &&
	     s->bufferedSize <= sizeof s->buffer && s->totalLen == bytes;
	if (ok) {
		s->extSecret = h->extSecret;
		memcpy(h, s, sizeof(*h));
	}
	XXH3_freeState(s);
	return ok;
}

/* State h as text: the xxhash version, ':', the state's bytes in hex (the
 * secret's address left out). */
static void state_text(const XXH3_state_t *h, struct buf *out)
{
	XXH3_state_t *c = XXH3_createState();
	if (!c)
		die_oom(sizeof(XXH3_state_t));
	memcpy(c, h, sizeof(*c));
	c->extSecret = NULL;
	const unsigned char *p = (const unsigned char *)c;
	buf_addf(out, "%u:", XXH_versionNumber());
	for (size_t i = 0; i < sizeof(*c); i++)
		buf_addf(out, "%02x", p[i]);
	XXH3_freeState(c);
}

void hash128_hex(uint64_t high, uint64_t low, char hex[33])
{
	snprintf(hex, 33, "%016llx%016llx", (unsigned long long)high, (unsigned long long)low);
}

int file_hash_resume(const char *path, uint64_t n, const char *resume, uint64_t resume_bytes,
		     char hex[33], uint64_t *bytes, struct buf *state)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	XXH3_state_t *h = state_new();
	uint64_t total = 0;
	if (resume && resume_bytes <= n && state_parse(resume, resume_bytes, h)) {
		if (fseeko(f, (off_t)resume_bytes, SEEK_SET) == 0)
			total = resume_bytes;
		else
			XXH3_128bits_reset(h);
	}
	char *buf = xmalloc(1 << 20);
	size_t got;
	while (total < n &&
	       (got = fread(buf, 1, n - total < (1 << 20) ? (size_t)(n - total) : 1 << 20, f)) > 0) {
		XXH3_128bits_update(h, buf, got);
		total += got;
	}
	int bad = ferror(f);
	fclose(f);
	free(buf);
	XXH128_hash_t d = XXH3_128bits_digest(h);
	if (state)
		state_text(h, state);
	XXH3_freeState(h);
	if (bad)
		return error("%s: read failed", path);
	hash128_hex(d.high64, d.low64, hex);
	*bytes = total;
	return 0;
}

int file_hash_prefix(const char *path, uint64_t n, char hex[33], uint64_t *bytes)
{
	return file_hash_resume(path, n, NULL, 0, hex, bytes, NULL);
}

int file_hash(const char *path, char hex[33], uint64_t *bytes)
{
	return file_hash_prefix(path, UINT64_MAX, hex, bytes);
}
