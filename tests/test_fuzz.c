/* The fuzz targets (fuzz/fuzz.h) replayed on their seed inputs
 * (fuzz/corpus/NAME/) and on every input that once made one crash
 * (tests/fixtures/fuzz-regressions/NAME/): each must come back, and under
 * 'make check' without a sanitizer's complaint. */
#include "testhelp.h"
#include "tests.h"
#include "../fuzz/fuzz.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Feed every file of dir to fn. @return the number fed. */
static size_t replay(const char *dir, int (*fn)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[1024];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		size_t len;
		char *data = test_read(path, &len);
		if (!data)
			continue;
		fn((const uint8_t *)data, len);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

#define ENTRY(name) { #name, fuzz_##name },

void test_fuzz(void)
{
	static const struct {
		const char *name;
		int (*fn)(const uint8_t *data, size_t size);
	} targets[] = { FUZZ_TARGETS(ENTRY) };
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		char dir[256];
		snprintf(dir, sizeof dir, "fuzz/corpus/%s", targets[i].name);
		size_t seeds = replay(dir, targets[i].fn);
		snprintf(dir, sizeof dir, "tests/fixtures/fuzz-regressions/%s", targets[i].name);
		replay(dir, targets[i].fn);
		/* every target starts from inputs of the project's own */
		CHECK(test_id("fuzz-%s.seeds", targets[i].name), seeds > 0);
	}
}
