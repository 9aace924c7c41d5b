#define _DEFAULT_SOURCE /* scandir, alphasort, realpath */
#include "walk.h"
#include "buf.h"
#include "strmap.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A directory on the way down from the file system's root: its identity
 * and the name to give it in a warning. */
struct step {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct walk {
	unsigned flags;
	walk_fn fn;
	void *arg;
	struct strmap dirs;      /* (dev, ino) of each directory entered -> index in entered */
	struct strmap files;     /* (dev, ino) of each file handed out */
	char **entered;          /* the directories entered, by their path */
	size_t n_entered, cap_entered;
	struct step *path;       /* the root's real ancestors, then the way down */
	size_t n_path, cap_path;
};

/* The (device, inode) of sb as a map key. @return its length. */
static size_t id_key(char key[static sizeof(dev_t) + sizeof(ino_t)], const struct stat *sb)
{
	memcpy(key, &sb->st_dev, sizeof sb->st_dev);
	memcpy(key + sizeof sb->st_dev, &sb->st_ino, sizeof sb->st_ino);
	return sizeof sb->st_dev + sizeof sb->st_ino;
}

static void push(struct walk *w, const struct stat *sb, const char *name)
{
	XGROW(w->path, w->cap_path, w->n_path + 1);
	w->path[w->n_path++] = (struct step){ sb->st_dev, sb->st_ino, xstrdup(name) };
}

static void pop(struct walk *w)
{
	free(w->path[--w->n_path].name);
}

/* The directory on the way down that sb is, or NULL. */
static const char *on_path(const struct walk *w, const struct stat *sb)
{
	for (size_t i = w->n_path; i-- > 0;)
		if (w->path[i].dev == sb->st_dev && w->path[i].ino == sb->st_ino)
			return w->path[i].name;
	return NULL;
}

/* The root's real ancestors are on the way down too: "up -> .." in the
 * root would walk the root again and everything beside it. */
static void push_ancestors(struct walk *w, const char *root)
{
	char *real = realpath(root, NULL);
	if (!real)
		return;
	struct buf p = BUF_INIT;
	struct stat sb;
	if (stat("/", &sb) == 0 && strcmp(real, "/"))
		push(w, &sb, "/");
	for (char *s = real + 1; (s = strchr(s, '/')); s++) {
		buf_reset(&p);
		buf_add(&p, real, (size_t)(s - real));
		if (stat(p.p, &sb) == 0)
			push(w, &sb, p.p);
	}
	buf_release(&p);
	free(real);
}

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

static int walk_dir(struct walk *w, const char *dir, const char *rel, const struct stat *dsb,
		    int depth)
{
	if (depth > WALK_MAX_DEPTH)
		return error("%s: a directory tree deeper than %d levels", dir, WALK_MAX_DEPTH);
	char key[sizeof(dev_t) + sizeof(ino_t)];
	uint32_t idx = (uint32_t)w->n_entered;
	strmap_put(&w->dirs, key, id_key(key, dsb), &idx);
	XGROW(w->entered, w->cap_entered, w->n_entered + 1);
	w->entered[w->n_entered++] = xstrdup(dir);
	struct dirent **list;
	int n = scandir(dir, &list, not_dots, alphasort);
	if (n < 0)
		return error("%s: cannot read the directory: %s", dir, strerror(errno));
	push(w, dsb, dir);
	struct buf p = BUF_INIT, r = BUF_INIT;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (rc < 0 || (name[0] == '.' && !(w->flags & WALK_HIDDEN)))
			continue;
		buf_reset(&p);
		buf_reset(&r);
		buf_addf(&p, "%s/%s", dir, name);
		buf_addf(&r, "%s/%s", rel, name);
		struct stat sb;
		if (stat(p.p, &sb) != 0) {
			rc = w->fn(w->arg, p.p, r.p, NULL);
			continue;
		}
		size_t kn = id_key(key, &sb);
		if (S_ISDIR(sb.st_mode)) {
			const char *up = on_path(w, &sb);
			uint32_t first;
			if (up) {
				if (!(w->flags & WALK_QUIET))
					warning("%s: links back to %s (a loop): not followed", p.p, up);
			} else if (strmap_get(&w->dirs, key, kn, &first)) {
				if (!(w->flags & WALK_QUIET))
					warning("%s: links to %s, walked already: not walked twice",
						p.p, w->entered[first]);
			} else {
				rc = walk_dir(w, p.p, r.p, &sb, depth + 1);
			}
			continue;
		}
		uint32_t zero = 0;
		if (!strmap_put(&w->files, key, kn, &zero)) {
			debug("%s: a file read already (another link to it), skipped", p.p);
			continue;
		}
		rc = w->fn(w->arg, p.p, r.p, &sb);
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	buf_release(&p);
	buf_release(&r);
	pop(w);
	return rc;
}

int walk_tree(const char *root, const char *rel_root, unsigned flags, walk_fn fn, void *arg)
{
	struct stat sb;
	if (stat(root, &sb) != 0)
		return error("%s: %s", root, strerror(errno));
	if (!rel_root)
		rel_root = root;
	if (!S_ISDIR(sb.st_mode))
		return fn(arg, root, rel_root, &sb);
	struct walk w = { .flags = flags, .fn = fn, .arg = arg };
	strmap_init(&w.dirs);
	strmap_init(&w.files);
	push_ancestors(&w, root);
	int rc = walk_dir(&w, root, rel_root, &sb, 1);
	while (w.n_path)
		pop(&w);
	free(w.path);
	for (size_t i = 0; i < w.n_entered; i++)
		free(w.entered[i]);
	free(w.entered);
	strmap_release(&w.dirs);
	strmap_release(&w.files);
	return rc;
}
