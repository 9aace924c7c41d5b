#define _POSIX_C_SOURCE 200809L
#include "fingerprint.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

int file_hash_prefix(const char *path, uint64_t n, char hex[33], uint64_t *bytes)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	XXH3_state_t *h = XXH3_createState();
	XXH3_128bits_reset(h);
	char *buf = xmalloc(1 << 20);
	uint64_t total = 0;
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
	XXH3_freeState(h);
	if (bad)
		return error("%s: read failed", path);
	snprintf(hex, 33, "%016llx%016llx", (unsigned long long)d.high64,
		 (unsigned long long)d.low64);
	*bytes = total;
	return 0;
}

int file_hash(const char *path, char hex[33], uint64_t *bytes)
{
	return file_hash_prefix(path, UINT64_MAX, hex, bytes);
}
