#include "tmpfile.h"
#include "util.h"

#include <errno.h>
#include <string.h>

FILE *tmpfile_open(struct tmpfile *t, const char *path)
{
	buf_init(&t->tmp);
	t->path = path;
	buf_addf(&t->tmp, "%s.tmp", path);
	t->f = fopen(t->tmp.p, "wb");
	if (!t->f) {
		error("%s: cannot write: %s", t->tmp.p, strerror(errno));
		buf_release(&t->tmp);
	}
	return t->f;
}

int tmpfile_commit(struct tmpfile *t)
{
	const char *tmp = t->tmp.p;
	int rc = 0, bad = ferror(t->f);
	if (fclose(t->f) != 0 || bad) {
		remove(tmp);
		rc = error("%s: write failed: %s", tmp, strerror(errno));
	} else if (rename(tmp, t->path) != 0) {
		remove(tmp);
		rc = error("%s: cannot rename to %s: %s", tmp, t->path, strerror(errno));
	}
	t->f = NULL;
	buf_release(&t->tmp);
	return rc;
}
