#include "launch.h"
#include "export.h"
#include "manifest.h"
#include "../common/util.h"

#include <string.h>
#include <sys/stat.h>

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
