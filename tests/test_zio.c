/* Reading plain and zstd files, as bytes and as lines. */
#define _POSIX_C_SOURCE 200809L
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../common/zio.h"

#include <stdlib.h>
#include <zstd.h>
#include <string.h>

static int read_lines(const char *path, char ***lines, size_t *n)
{
	struct lineio r;
	*lines = NULL;
	*n = 0;
	if (lineio_open(&r, path) < 0)
		return -1;
	char *line;
	size_t len;
	int got;
	size_t cap = 0;
	while ((got = lineio_next(&r, &line, &len)) == 1) {
		XGROW(*lines, cap, *n + 1);
		(*lines)[(*n)++] = xstrndup(line, len);
	}
	lineio_close(&r);
	return got;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void run_zio(void)
{
	const char *dir = test_tmpdir();
	char plain[512], zst[512], path[512];
	snprintf(plain, sizeof plain, "%s/lines.txt", dir);
	snprintf(zst, sizeof zst, "%s/lines.txt.zst", dir);
	const char text[] = "first|line|\r\nsecond\n\nlast without newline";
	write_file(plain, text, sizeof text - 1);
	write_zst(zst, text, sizeof text - 1);
	const char *files[] = { plain, zst };
	for (int f = 0; f < 2; f++) {
		char **l;
		size_t n;
		const char *id = f ? "zio-1.2" : "zio-1.1";
		CHECK_INT(test_id("%s.rc", id), read_lines(files[f], &l, &n), 0);
		CHECK_INT(id, n, 4);
		if (n == 4) {
			CHECK_STR(test_id("%s.first", id), l[0], "first|line|");
			CHECK_STR(test_id("%s.empty", id), l[2], "");
			CHECK_STR(test_id("%s.last", id), l[3], "last without newline");
		}
		free_lines(l, n);
	}

	/* a large file spanning many buffers, compressed, with a long line */
	struct buf big = BUF_INIT;
	for (int i = 0; i < 200000; i++)
		buf_addf(&big, "C%07d|ENG|row %d|\n", i, i);
	for (int i = 0; i < 3000000; i++)
		buf_addc(&big, 'x');
	buf_addc(&big, '\n');
	snprintf(path, sizeof path, "%s/big.zst", dir);
	write_zst(path, big.p, big.len);
	char **l;
	size_t n;
	CHECK_INT("zio-2.1", read_lines(path, &l, &n), 0);
	CHECK_INT("zio-2.2", n, 200001);
	if (n == 200001) {
		CHECK_STR("zio-2.3", l[123456], "C0123456|ENG|row 123456|");
		CHECK_INT("zio-2.4", strlen(l[200000]), 3000000);
	}
	free_lines(l, n);

	/* truncated zstd: an error naming the file and the line reached */
	size_t cap = big.len;
	char *whole = NULL;
	size_t wlen = 0;
	CHECK_INT("zio-3.1", zfile_slurp(path, &whole, &wlen, 0), 0);
	CHECK_INT("zio-3.2", wlen, big.len);
	free(whole);
	FILE *fp = fopen(path, "rb");
	char *z = xmalloc(cap);
	size_t zn = fread(z, 1, cap, fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/truncated.zst", dir);
	write_file(path, z, zn / 2);
	free(z);
	last_error_reset();
	CHECK_INT("zio-3.3", read_lines(path, &l, &n), -1);
	free_lines(l, n);
	CHECK_ERR("zio-3.4", "truncated.zst:");
	CHECK_ERR("zio-3.5", "truncated zstd stream");

	/* corrupt zstd data */
	snprintf(path, sizeof path, "%s/corrupt.zst", dir);
	write_file(path, "\x28\xb5\x2f\xfd garbage that is not a frame", 32);
	last_error_reset();
	CHECK_INT("zio-3.6", read_lines(path, &l, &n), -1);
	free_lines(l, n);
	CHECK_ERR("zio-3.7", "corrupt.zst");

	/* corrupt data late in a small file: the lines before it come out, and
	 * the error names the line reached (not line 1, where the one read of
	 * a small file starts) */
	struct buf rows = BUF_INIT;
	uint64_t x = 88172645463325252u;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf_addf(&rows, "C%07d|ENG|%016llx|\n", i, (unsigned long long)x);
	}
	/* with a checksum, so that any byte changed is found */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	size_t zcap = ZSTD_compressBound(rows.len);
	char *zb = xmalloc(zcap);
	size_t ln = ZSTD_compress2(cc, zb, zcap, rows.p, rows.len);
	ZSTD_freeCCtx(cc);
	zb[ln * 9 / 10] ^= 0x5a;
	const char *late = test_path("late.zst");
	write_file(late, zb, ln);
	free(zb);
	buf_release(&rows);
	last_error_reset();
	CHECK_INT("zio-3.8", read_lines(late, &l, &n), -1);
	free_lines(l, n);
	CHECK("zio-3.9", n > 10000);
	char want[128];
	snprintf(want, sizeof want, "late.zst:%zu: ", n + 1);
	CHECK_ERR("zio-3.10", want);

	/* missing file, directory */
	struct lineio r;
	snprintf(path, sizeof path, "%s/missing", dir);
	CHECK_INT("zio-4.1", lineio_open(&r, path), -1);
	CHECK_ERR("zio-4.2", "cannot open");
	CHECK_INT("zio-4.3", lineio_open(&r, dir), -1);
	CHECK_ERR("zio-4.4", "is a directory");

	/* path_with_zst finds either form */
	char *p = path_with_zst(plain);
	CHECK_STR("zio-5.1", p, plain);
	free(p);
	snprintf(path, sizeof path, "%s/big", dir);
	p = path_with_zst(path);
	CHECK("zio-5.2", p && strstr(p, "big.zst"));
	free(p);
	buf_release(&big);
}

void test_zio(void)
{
	/* both ways of reading zstd: on this thread, and with the decompression
	 * thread (forced on for every file, small ones included) */
	setenv("MEDKG_PREFETCH", "0", 1);
	run_zio();
	setenv("MEDKG_PREFETCH", "1", 1);
	run_zio();
	unsetenv("MEDKG_PREFETCH");
}
