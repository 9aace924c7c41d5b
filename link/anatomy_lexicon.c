#define _POSIX_C_SOURCE 200809L
#include "anatomy_lexicon.h"
#include "../common/buf.h"
#include "../common/embedded.h"
#include "../common/normalize.h"
#include "../common/util.h"
#include "../common/strlist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LEXICON "data/lexicon/anatomy.txt"

/* "right lung; left lung" -> mask; "none" -> 0. find looks a name up (its
 * index, or -1): atlas_find, or atlas_lateral_find for lateral regions.
 * @return 0 or -1. */
static int parse_regions(const char *path, size_t line, char *v, int (*find)(const char *, size_t),
			 regmask *out)
{
	*out = 0;
	if (!strcmp(v, "none"))
		return 0;
	char *save = NULL;
	for (char *r = strtok_r(v, ";", &save); r; r = strtok_r(NULL, ";", &save)) {
		r = str_trim(r);
		int i = find(r, strlen(r));
		if (i < 0)
			return error("%s:%zu: unknown %sregion '%s'", path, line,
				     find == atlas_find ? "" : "lateral ", r);
		*out |= ATLAS_BIT(i);
	}
	if (!*out)
		return error("%s:%zu: no region given (write 'none' for none)", path, line);
	return 0;
}

static int put(struct strmap *m, const char *path, size_t line, const char *key, size_t n,
	       uint32_t v)
{
	uint32_t got = v;
	if (!n)
		return error("%s:%zu: empty key", path, line);
	if (!strmap_put(m, key, n, &got) && got != v)
		return error("%s:%zu: '%.*s' is already defined differently", path, line, (int)n, key);
	return 0;
}

static int is_cui(const char *s)
{
	if (s[0] != 'C' || strlen(s) != 8)
		return 0;
	for (int i = 1; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int anatomy_lexicon_parse(struct anatomy_lexicon *lx, const char *path, const char *text, size_t n)
{
	memset(lx, 0, sizeof(*lx));
	strmap_init(&lx->anatomy);
	strmap_init(&lx->side);
	strmap_init(&lx->brk);
	strmap_init(&lx->concept);
	strmap_init(&lx->site);
	lx->path = xstrdup(path);
	struct buf norm = BUF_INIT, copy = BUF_INIT;
	size_t line = 0;
	int rc = -1;
	for (size_t pos = 0; pos < n;) {
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		line++;
		buf_reset(&copy);
		buf_add(&copy, text + pos, len);
		pos += len + (nl != NULL);
		char *s = copy.p;
		char *hash = strchr(s, '#');
		if (hash)
			*hash = '\0';
		s = str_trim(s);
		if (!*s)
			continue;
		char *f[4];
		int nf = split_fields(s, strlen(s), '|', f, 4);
		if (nf != 3) {
			error("%s:%zu: expected 'KIND | KEY | VALUE', found %d fields", path, line, nf);
			goto out;
		}
		char *kind = str_trim(f[0]), *key = str_trim(f[1]), *val = str_trim(f[2]);
		buf_reset(&norm);
		size_t words = text_normalize(key, strlen(key), &norm);
		regmask m;
		if (!strcmp(kind, "anatomy")) {
			if (parse_regions(path, line, val, atlas_find, &m) < 0)
				goto out;
			if (!m) {
				error("%s:%zu: an anatomy phrase needs a region", path, line);
				goto out;
			}
			if (put(&lx->anatomy, path, line, norm.p, norm.len, m) < 0)
				goto out;
			if ((int)words > lx->max_words)
				lx->max_words = (int)words;
		} else if (!strcmp(kind, "side")) {
			enum side sd = !strcmp(val, "right") ? SIDE_RIGHT
				     : !strcmp(val, "left")  ? SIDE_LEFT
				     : !strcmp(val, "both")  ? SIDE_BOTH : SIDE_NONE;
			if (sd == SIDE_NONE) {
				error("%s:%zu: side must be right, left or both, not '%s'", path, line, val);
				goto out;
			}
			if (words != 1) {
				error("%s:%zu: a side is one word", path, line);
				goto out;
			}
			if (put(&lx->side, path, line, norm.p, norm.len, sd) < 0)
				goto out;
		} else if (!strcmp(kind, "break")) {
			if (words != 1) {
				error("%s:%zu: a clause break is one word", path, line);
				goto out;
			}
			int coord = !strcmp(val, "coordinating");
			if (!coord && strcmp(val, "-")) {
				error("%s:%zu: a clause break is 'coordinating' or '-', not '%s'", path,
				      line, val);
				goto out;
			}
			if (put(&lx->brk, path, line, norm.p, norm.len, 1 + coord) < 0)
				goto out;
		} else if (!strcmp(kind, "concept") || !strcmp(kind, "site")) {
			int concept = kind[0] == 'c';
			if (concept && !is_cui(key)) {
				error("%s:%zu: expected a CUI (C0000000), found '%s'", path, line, key);
				goto out;
			}
			if (parse_regions(path, line, val, atlas_find, &m) < 0)
				goto out;
			const char *k = is_cui(key) ? key : norm.p;
			size_t kn = is_cui(key) ? strlen(key) : norm.len;
			if (put(concept ? &lx->concept : &lx->site, path, line, k, kn, m) < 0)
				goto out;
		} else if (!strcmp(kind, "lateral")) {
			int r = atlas_find(key, strlen(key));
			if (r < 0) {
				error("%s:%zu: unknown region '%s'", path, line, key);
				goto out;
			}
			if (parse_regions(path, line, val, atlas_lateral_find, &m) < 0)
				goto out;
			if (!m) {
				error("%s:%zu: a lateral entry needs a lateral region", path, line);
				goto out;
			}
			if ((lx->has_lateral & ATLAS_BIT(r)) && lx->lateral[r] != m) {
				error("%s:%zu: '%s' is already defined differently", path, line, key);
				goto out;
			}
			lx->lateral[r] = m;
			lx->has_lateral |= ATLAS_BIT(r);
		} else {
			error("%s:%zu: unknown kind '%s' (anatomy, side, break, concept, site, "
			      "lateral)", path, line, kind);
			goto out;
		}
		lx->n_entries++;
	}
	if (!lx->anatomy.n) {
		error("%s: no anatomy phrases", path);
		goto out;
	}
	rc = 0;
out:
	buf_release(&norm);
	buf_release(&copy);
	if (rc < 0)
		anatomy_lexicon_release(lx);
	return rc;
}

int anatomy_lexicon_load(struct anatomy_lexicon *lx, const char *path)
{
	if (!path) {
		const struct embedded_file *f = embedded_get(DEFAULT_LEXICON);
		return anatomy_lexicon_parse(lx, DEFAULT_LEXICON, f->data, f->size);
	}
	memset(lx, 0, sizeof(*lx));
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return error("%s: cannot open: %s", path, strerror(errno));
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, got);
	int bad = ferror(fp);
	fclose(fp);
	int rc;
	if (bad)
		rc = error("%s: read error", path);
	else
		rc = anatomy_lexicon_parse(lx, path, buf_str(&b), b.len);
	buf_release(&b);
	return rc;
}

void anatomy_lexicon_release(struct anatomy_lexicon *lx)
{
	if (!lx->path)
		return;
	strmap_release(&lx->anatomy);
	strmap_release(&lx->side);
	strmap_release(&lx->brk);
	strmap_release(&lx->concept);
	strmap_release(&lx->site);
	free(lx->path);
	memset(lx, 0, sizeof(*lx));
}

int anatomy_lexicon_phrase(const struct anatomy_lexicon *lx, const char *key, size_t n, regmask *m)
{
	return strmap_get(&lx->anatomy, key, n, m);
}

int anatomy_lexicon_side(const struct anatomy_lexicon *lx, const char *key, size_t n, enum side *s)
{
	uint32_t v;
	if (!strmap_get(&lx->side, key, n, &v))
		return 0;
	*s = (enum side)v;
	return 1;
}

int anatomy_lexicon_break(const struct anatomy_lexicon *lx, const char *key, size_t n)
{
	uint32_t v;
	return strmap_get(&lx->brk, key, n, &v) ? (int)v : 0;
}

int anatomy_lexicon_concept(const struct anatomy_lexicon *lx, const char *cui, regmask *m)
{
	return strmap_get(&lx->concept, cui, strlen(cui), m);
}

int anatomy_lexicon_site(const struct anatomy_lexicon *lx, const char *key, size_t n, regmask *m)
{
	return strmap_get(&lx->site, key, n, m);
}

int anatomy_lexicon_lateral(const struct anatomy_lexicon *lx, int region, latmask *m)
{
	if (!(lx->has_lateral & ATLAS_BIT(region)))
		return 0;
	*m = lx->lateral[region];
	return 1;
}
