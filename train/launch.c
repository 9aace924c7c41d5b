#define _XOPEN_SOURCE 700
#include "launch.h"
#include "export.h"
#include "manifest.h"
#include "../common/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int launch_check(const char *dir, int allow_stale, struct launch_check *c)
{
	static struct buf store_path; /* "valid until the next call" (launch.h) */
	struct manifest m;
	struct buf state = BUF_INIT;
	int rc = -1;
	memset(c, 0, sizeof(*c));
	int found = manifest_read(dir, &m);
	if (found == 0)
		return error("%s: not a medkg export (no %s): run 'medkg train export %s' first", dir,
			     MANIFEST_NAME, dir);
	if (found < 0)
		return -1;
	if (manifest_verify(dir, &m) < 0)
		goto out;
	c->n_files = m.n_files;
	buf_reset(&store_path);
	buf_adds(&store_path, m.store_path);
	c->store_path = store_path.p;
	struct stat sb;
	if (stat(m.store_path, &sb) != 0) {
		rc = 0; /* the store stayed behind (a copied export): nothing to compare */
		goto out;
	}
	struct store st;
	if (store_open(&st, m.store_path, STORE_READONLY) < 0)
		goto out;
	int bad = export_store_state(&st, &state);
	store_close(&st);
	if (bad < 0)
		goto out;
	c->store_checked = 1;
	if (strcmp(buf_str(&state), m.store_state)) {
		if (!allow_stale) {
			error("%s: stale: %s changed since the export (now %s; exported at %s): run "
			      "'medkg train export --update %s', or pass --allow-stale",
			      dir, m.store_path, buf_str(&state), m.store_state, dir);
			goto out;
		}
		warning("%s: %s changed since the export (now %s; exported at %s)", dir, m.store_path,
			buf_str(&state), m.store_state);
	}
	rc = 0;
out:
	manifest_release(&m);
	buf_release(&state);
	return rc;
}

/* ------------------------------------------------------------ ARL */

/* ARL_DIR/data/name -> dir/name: a symbolic link, replacing a link only. */
static int link_one(const char *dir, const char *arl_dir, const char *name, int check_only)
{
	struct buf at = BUF_INIT, to = BUF_INIT;
	int rc = 0;
	buf_addf(&at, "%s/data/%s", arl_dir, name);
	char *abs = realpath(dir, NULL);
	buf_addf(&to, "%s/%s", abs ? abs : dir, name);
	free(abs);
	struct stat sb;
	if (lstat(at.p, &sb) == 0 && !S_ISLNK(sb.st_mode))
		rc = error("%s: a real %s is there: medkg links it to the export only where nothing "
			   "or a link is (move it away first)",
			   at.p, S_ISDIR(sb.st_mode) ? "directory" : "file");
	else if (!check_only && ((lstat(at.p, &sb) == 0 && unlink(at.p) != 0) ||
				 symlink(to.p, at.p) != 0))
		rc = error("%s: cannot link it to %s: %s", at.p, to.p, strerror(errno));
	buf_release(&at);
	buf_release(&to);
	return rc;
}

int launch_arl_link(const char *dir, const char *arl_dir)
{
	static const char *const names[] = { "knowledge", "pretrain_arrows_umls" };
	struct buf data = BUF_INIT;
	struct stat sb;
	int rc = -1;
	buf_addf(&data, "%s/prepro/make_arrow.py", arl_dir);
	if (stat(data.p, &sb) != 0) {
		error("%s: no prepro/make_arrow.py: not an ARL checkout (github.com/zhjohnchan/ARL)",
		      arl_dir);
		goto out;
	}
	buf_reset(&data);
	buf_addf(&data, "%s/data", arl_dir);
	if (mkdir(data.p, 0777) != 0 && errno != EEXIST) {
		error("%s: cannot create: %s", data.p, strerror(errno));
		goto out;
	}
	/* every check first, so that a refusal changes nothing */
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (link_one(dir, arl_dir, names[i], 1) < 0)
			goto out;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (link_one(dir, arl_dir, names[i], 0) < 0)
			goto out;
	rc = 0;
out:
	buf_release(&data);
	return rc;
}

int launch_arl_stale(const char *dir)
{
	struct manifest m;
	struct buf p = BUF_INIT;
	json_t *stamp = NULL;
	int rc = -1;
	if (manifest_read(dir, &m) <= 0)
		return -1;
	buf_addf(&p, "%s/knowledge/ent_embeddings.ckpt", dir);
	struct stat sb;
	if (stat(p.p, &sb) != 0) {
		rc = 1;
		goto out;
	}
	buf_reset(&p);
	buf_addf(&p, "%s/pretrain_arrows_umls/medkg.json", dir);
	stamp = json_load_file(p.p, 0, NULL);
	json_t *made = json_object_get(stamp, "from");
	if (!json_is_object(made)) {
		rc = 1;
		goto out;
	}
	/* made from the files the manifest lists now, and every arrow there */
	rc = 0;
	const char *name;
	json_t *hash;
	json_object_foreach(made, name, hash)
	{
		const struct manifest_file *f = manifest_find(&m, name);
		if (!f || !json_is_string(hash) || strcmp(f->hash, json_string_value(hash)))
			rc = 1;
	}
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(stamp, "arrows"), i, a)
	{
		buf_reset(&p);
		buf_addf(&p, "%s/pretrain_arrows_umls/%s", dir, json_string_value(a) ? json_string_value(a) : "");
		if (stat(p.p, &sb) != 0)
			rc = 1;
	}
	if (json_object_size(made) == 0 || json_array_size(json_object_get(stamp, "arrows")) == 0)
		rc = 1;
out:
	json_decref(stamp);
	manifest_release(&m);
	buf_release(&p);
	return rc;
}
