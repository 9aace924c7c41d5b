#include "openke.h"
#include "npy.h"
#include "../common/buf.h"
#include "../common/tmpfile.h"
#include "../common/util.h"
#include "../common/zio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kg_release(struct kg *kg)
{
	if (!kg)
		return;
	for (int i = 0; i < KG_N_SPLITS; i++)
		free(kg->split[i]);
	if (kg->ent_names)
		for (int32_t i = 0; i < kg->n_ent; i++)
			free(kg->ent_names[i]);
	if (kg->rel_names)
		for (int32_t i = 0; i < kg->n_rel; i++)
			free(kg->rel_names[i]);
	free(kg->ent_names);
	free(kg->rel_names);
	memset(kg, 0, sizeof(*kg));
}

/* Parse a non-negative decimal integer that must end at *end or whitespace.
 * @return 0 and *v, or -1. */
static int parse_id(char **s, int64_t *v)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	char *end;
	long long x = strtoll(p, &end, 10);
	if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\r'))
		return -1;
	*v = x;
	*s = end;
	return 0;
}

static int only_space(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/* Read the count header. @return 0 and *n, or -1 (reported). */
static int read_count(struct lineio *r, const char *path, int64_t *n, int64_t max)
{
	char *line;
	size_t len;
	int got = lineio_next(r, &line, &len);
	if (got < 0)
		return -1;
	if (got == 0)
		return error("%s:1: empty file, expected a count on the first line", path);
	char *p = line;
	if (parse_id(&p, n) < 0 || !only_space(p))
		return error("%s:1: expected a count on the first line, found '%.40s'", path, line);
	if (*n > max)
		return error("%s:1: count %lld is too large (at most %lld)", path, (long long)*n,
			     (long long)max);
	return 0;
}

/* After n lines were read, only blank lines may follow. */
static int expect_end(struct lineio *r, const char *path, int64_t n)
{
	char *line;
	size_t len;
	int got;
	int64_t extra = 0;
	size_t first = 0;
	while ((got = lineio_next(r, &line, &len)) > 0) {
		if (only_space(line))
			continue;
		if (!extra++)
			first = r->lineno;
	}
	if (got < 0)
		return -1;
	if (extra)
		return error("%s:%zu: the count header says %lld lines, but %lld more follow", path,
			     first, (long long)n, (long long)extra);
	return 0;
}

/* entity2id.txt / relation2id.txt: "name id" lines; names kept. The count
 * header is only compared: what is allocated grows with the lines read,
 * so a header claiming 2^31 entries costs nothing until they are there. */
static int read_ids(const char *dir, const char *file, int32_t *n_out, char ***names_out)
{
	struct buf pb = BUF_INIT;
	buf_addf(&pb, "%s/%s", dir, file);
	const char *path = pb.p;
	struct lineio r;
	struct id_line { char *name; int64_t id; size_t line; } *rows = NULL;
	size_t n_rows = 0, cap = 0;
	char **names = NULL;
	int64_t n = 0;
	int rc = -1;
	if (lineio_open(&r, path) < 0) {
		buf_release(&pb);
		return -1;
	}
	if (read_count(&r, path, &n, INT32_MAX) < 0)
		goto out;
	for (int64_t i = 0; i < n; i++) {
		char *line;
		size_t len;
		int got = lineio_next(&r, &line, &len);
		if (got < 0)
			goto out;
		if (got == 0 || only_space(line)) {
			error("%s:%zu: the count header says %lld lines, found %lld", path,
			      r.lineno, (long long)n, (long long)i);
			goto out;
		}
		/* the id is the last field; the name is what precedes it */
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			line[--len] = '\0';
		size_t k = len;
		while (k && line[k - 1] != ' ' && line[k - 1] != '\t')
			k--;
		char *p = line + k;
		int64_t id;
		if (k == 0 || parse_id(&p, &id) < 0 || *p) {
			error("%s:%zu: expected 'name<TAB>id', found '%.60s'", path, r.lineno, line);
			goto out;
		}
		if (id >= n) {
			error("%s:%zu: id %lld out of range (count %lld)", path, r.lineno,
			      (long long)id, (long long)n);
			goto out;
		}
		size_t e = k;
		while (e && (line[e - 1] == ' ' || line[e - 1] == '\t'))
			e--;
		XGROW(rows, cap, n_rows + 1);
		rows[n_rows++] = (struct id_line){ xstrndup(line, e), id, r.lineno };
	}
	if (expect_end(&r, path, n) < 0)
		goto out;
	/* n lines, each id below n: every id exactly once */
	names = xcalloc(n ? (size_t)n : 1, sizeof(*names));
	for (size_t i = 0; i < n_rows; i++) {
		if (names[rows[i].id]) {
			error("%s:%zu: id %lld appears twice", path, rows[i].line,
			      (long long)rows[i].id);
			goto out;
		}
		names[rows[i].id] = rows[i].name;
		rows[i].name = NULL;
	}
	*n_out = (int32_t)n;
	*names_out = names;
	names = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < n_rows; i++)
		free(rows[i].name);
	free(rows);
	if (names) {
		for (int64_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	lineio_close(&r);
	buf_release(&pb);
	return rc;
}

static int read_triples(const char *dir, const char *file, int optional, const struct kg *kg,
			struct triple **out, size_t *n_out)
{
	struct buf pb = BUF_INIT;
	buf_addf(&pb, "%s/%s", dir, file);
	char *path = path_with_zst(pb.p);
	if (!path) {
		int missing = optional ? 0 : error("%s: no such file", pb.p);
		buf_release(&pb);
		return missing;
	}
	buf_release(&pb);
	struct lineio r;
	struct triple *tr = NULL;
	size_t cap = 0;
	int64_t n = 0;
	int rc = -1;
	if (lineio_open(&r, path) < 0) {
		free(path);
		return -1;
	}
	if (read_count(&r, path, &n, INT32_MAX) < 0)
		goto out;
	/* grown as lines arrive: the header is only compared */
	for (int64_t i = 0; i < n; i++) {
		char *line;
		size_t len;
		int got = lineio_next(&r, &line, &len);
		if (got < 0)
			goto out;
		if (got == 0 || only_space(line)) {
			error("%s:%zu: the count header says %lld triples, found %lld", path,
			      r.lineno, (long long)n, (long long)i);
			goto out;
		}
		char *p = line;
		int64_t v[3];
		int ok = 1;
		for (int k = 0; k < 3 && ok; k++)
			ok = parse_id(&p, &v[k]) == 0;
		if (!ok || !only_space(p)) {
			error("%s:%zu: expected 'head tail relation' ids, found '%.60s'", path,
			      r.lineno, line);
			goto out;
		}
		if (v[0] >= kg->n_ent || v[1] >= kg->n_ent) {
			error("%s:%zu: entity id %lld out of range (%d entities)", path, r.lineno,
			      (long long)(v[0] >= kg->n_ent ? v[0] : v[1]), kg->n_ent);
			goto out;
		}
		if (v[2] >= kg->n_rel) {
			error("%s:%zu: relation id %lld out of range (%d relations)", path, r.lineno,
			      (long long)v[2], kg->n_rel);
			goto out;
		}
		XGROW(tr, cap, (size_t)i + 1);
		tr[i] = (struct triple){ (int32_t)v[0], (int32_t)v[1], (int32_t)v[2] };
	}
	if (expect_end(&r, path, n) < 0)
		goto out;
	if (!tr)
		tr = xmalloc(sizeof(*tr));
	*out = tr;
	*n_out = (size_t)n;
	tr = NULL;
	rc = 0;
out:
	free(tr);
	lineio_close(&r);
	free(path);
	return rc;
}

int openke_read(struct kg *kg, const char *dir)
{
	static const char *const files[KG_N_SPLITS] = { "train2id.txt", "valid2id.txt",
							 "test2id.txt" };
	memset(kg, 0, sizeof(*kg));
	if (read_ids(dir, "entity2id.txt", &kg->n_ent, &kg->ent_names) < 0 ||
	    read_ids(dir, "relation2id.txt", &kg->n_rel, &kg->rel_names) < 0)
		goto fail;
	for (int i = 0; i < KG_N_SPLITS; i++)
		if (read_triples(dir, files[i], i != KG_TRAIN, kg, &kg->split[i], &kg->n[i]) < 0)
			goto fail;
	if (kg->n[KG_TRAIN] == 0) {
		error("%s/train2id.txt: no training triples", dir);
		goto fail;
	}
	return 0;
fail:
	kg_release(kg);
	return -1;
}

int openke_write_ids(const char *path, int32_t n, char *const *keys, char *const *names)
{
	struct tmpfile t;
	FILE *f = tmpfile_open(&t, path);
	if (!f)
		return -1;
	fprintf(f, "%d\n", n);
	for (int32_t i = 0; i < n; i++) {
		if (names)
			fprintf(f, "%s\t%d\t%s\n", keys[i], i, names[i]);
		else
			fprintf(f, "%s\t%d\n", keys[i], i);
	}
	return tmpfile_commit(&t);
}

int openke_write_triples(const char *path, const struct triple *tr, size_t n)
{
	struct tmpfile t;
	FILE *f = tmpfile_open(&t, path);
	if (!f)
		return -1;
	fprintf(f, "%zu\n", n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%d\t%d\t%d\n", tr[i].h, tr[i].t, tr[i].r);
	return tmpfile_commit(&t);
}

/* dir/name, in p. */
static const char *in_dir(struct buf *p, const char *dir, const char *name)
{
	buf_reset(p);
	buf_addf(p, "%s/%s", dir, name);
	return p->p;
}

int openke_write_model(const char *dir, const struct openke_model *m)
{
	struct buf p = BUF_INIT;
	const size_t dim = (size_t)m->dim;
	int rc = -1;
	if (openke_write_ids(in_dir(&p, dir, "entity2id.txt"), m->n_ent, m->ent_keys,
			     m->ent_names) == 0 &&
	    openke_write_ids(in_dir(&p, dir, "relation2id.txt"), m->n_rel, m->rel_keys, NULL) == 0 &&
	    openke_write_triples(in_dir(&p, dir, "train2id.txt"), m->tr, m->n_tr) == 0 &&
	    npy_write(in_dir(&p, dir, "ent_embeddings.npy"), m->ent, (size_t)m->n_ent, dim, dim) == 0 &&
	    npy_write(in_dir(&p, dir, "rel_embeddings.npy"), m->rel, (size_t)m->n_rel, dim, dim) == 0)
		rc = 0;
	buf_release(&p);
	return rc;
}
