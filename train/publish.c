#define _GNU_SOURCE /* renameat2 */
#include "publish.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int publish_dir_state(const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0) {
		if (errno == ENOENT)
			return PUBLISH_MISSING;
		return error("%s: %s", dir, strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return error("%s: exists and is not a directory", dir);
	DIR *d = opendir(dir);
	if (!d)
		return error("%s: cannot read: %s", dir, strerror(errno));
	int state = PUBLISH_EMPTY;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			state = PUBLISH_FULL;
			break;
		}
	closedir(d);
	return state;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

void publish_remove(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int publish_mkdir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return error("%s: cannot create: %s", path, strerror(errno));
	return 0;
}

char *publish_tmpdir(const char *dir)
{
	char *d1 = xstrdup(dir), *d2 = xstrdup(dir);
	struct buf t = BUF_INIT;
	buf_addf(&t, "%s/.%s.tmp-XXXXXX", dirname(d1), basename(d2));
	free(d1);
	free(d2);
	char *tmp = buf_detach(&t);
	if (!mkdtemp(tmp)) {
		error("%s: cannot create a temporary directory: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	/* mkdtemp makes it private; the directory gets the usual mode */
	mode_t mask = umask(0);
	umask(mask);
	chmod(tmp, 0777 & ~mask);
	return tmp;
}

int publish_swap(const char *tmp, const char *dir, int exists)
{
	if (!exists) {
		if (rename(tmp, dir) != 0)
			return error("%s: cannot move the export into place: %s", dir, strerror(errno));
		return 0;
	}
#ifdef RENAME_EXCHANGE
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return error("%s: cannot swap in the new export: %s", dir, strerror(errno));
#endif
	/* no atomic exchange here: two renames */
	struct buf old = BUF_INIT;
	buf_addf(&old, "%s.old", tmp);
	int rc = 0;
	if (rename(dir, old.p) != 0) {
		rc = error("%s: cannot move the old export aside: %s", dir, strerror(errno));
	} else if (rename(tmp, dir) != 0) {
		rename(old.p, dir);
		rc = error("%s: cannot move the export into place: %s", dir, strerror(errno));
	} else if (rename(old.p, tmp) != 0) {
		rc = error("%s: %s", old.p, strerror(errno));
	}
	buf_release(&old);
	return rc;
}

/* Keep the old copy of one file (np new, op old) when both equal the
 * manifest's entry f: link under a temporary name, then rename over the
 * new copy, so that if anything fails the new copy stays. @return 1 kept. */
static int keep_one(const char *np, const char *op, const struct manifest_file *f)
{
	char hex[33], oh[33];
	uint64_t bytes, ob;
	struct stat ns, os;
	if (!f || stat(np, &ns) != 0 || (uint64_t)ns.st_size != f->bytes)
		return 0;
	/* the old file itself (an append that added nothing to it): a rename
	 * onto another link of it would do nothing */
	if (stat(op, &os) == 0 && os.st_dev == ns.st_dev && os.st_ino == ns.st_ino)
		return 1;
	if (file_hash(np, hex, &bytes) != 0 || bytes != f->bytes || strcmp(hex, f->hash))
		return 0;
	if (file_hash(op, oh, &ob) != 0 || ob != bytes || strcmp(oh, hex))
		return 0;
	struct buf lp = BUF_INIT;
	buf_addf(&lp, "%s.link", np);
	int kept = 0;
	if (link(op, lp.p) == 0) {
		kept = rename(lp.p, np) == 0;
		if (!kept)
			unlink(lp.p);
	}
	buf_release(&lp);
	return kept;
}

void publish_keep_unchanged(const char *dir, const char *tmp, const char *const *files, size_t n,
			    const struct manifest *old, size_t *kept, size_t *written)
{
	struct buf np = BUF_INIT, op = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&np);
		buf_reset(&op);
		buf_addf(&np, "%s/%s", tmp, files[i]);
		buf_addf(&op, "%s/%s", dir, files[i]);
		if (access(np.p, F_OK) != 0)
			continue;
		if (keep_one(np.p, op.p, manifest_find(old, files[i])))
			(*kept)++;
		else
			(*written)++;
	}
	buf_release(&np);
	buf_release(&op);
}
