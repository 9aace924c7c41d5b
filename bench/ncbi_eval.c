/*
 * ncbi_eval — score disease mentions found by medkg against the NCBI disease
 * corpus (PubTator format: "PMID|t|title", "PMID|a|abstract", then one line
 * "PMID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>ids" per mention; ids are
 * MeSH "D..."/"C..." or "OMIM:...", several joined by '|' or '+').
 *
 *   ncbi_eval --jsonl [--docs N] CORPUS      the documents as JSON Lines
 *   ncbi_eval [--docs N] [--errors FILE] CORPUS PRED.tsv
 *
 * --jsonl writes {"id": PMID, "findings": title + " " + abstract} per
 * document (the corpus's offsets count characters of that text, which the
 * converter checks against every mention's text). PRED.tsv holds medkg's
 * mentions, one a line: PMID, start, end, start with the modifiers, the
 * concept (CUI) and its MeSH/OMIM xrefs separated by spaces ("MESH:D011125
 * OMIM:175100"; empty when it has none). --docs N keeps the first N
 * documents (an excerpt for tests).
 *
 * Scores, micro-averaged over the corpus: mention level, a prediction is
 * right when its span equals a gold mention's (each gold mention taken at
 * most once) and its ids share one with the gold's; the same with spans
 * that overlap; both with the concept's span and with the span widened to
 * the modifiers recorded on the mention. Mentions whose concept has no
 * MeSH/OMIM id count as predictions (they can never be right). Document
 * level: each document's distinct predicted concepts against its gold ids
 * (score_documents).
 */
#define _GNU_SOURCE
#include "../common/buf.h"
#include "../common/util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gold {
	int start, end;
	char **ids;              /* "MESH:D011125", "OMIM:175100" */
	char *text;
	int taken;
};

struct pred {
	int start, end, mstart;
	char *concept;           /* its CUI or other identifier */
	char **ids;
	int taken;
};

struct doc {
	char *pmid;
	struct buf text;
	struct gold *g;
	size_t n_g, cap_g;
	struct pred *p;
	size_t n_p, cap_p;
};

static struct doc *docs;
static size_t n_docs, cap_docs;
static size_t n_repeated;     /* documents seen again, skipped */

static struct doc *find_doc(const char *pmid)
{
	for (size_t i = n_docs; i-- > 0;)
		if (!strcmp(docs[i].pmid, pmid))
			return &docs[i];
	return NULL;
}

static char **add_id(char **ids, const char *s, size_t n)
{
	size_t k = 0;
	while (ids && ids[k])
		k++;
	ids = xrealloc(ids, (k + 2) * sizeof(*ids));
	struct buf b = BUF_INIT;
	/* the corpus writes MeSH ids bare, the xrefs table with a prefix */
	if (n && (s[0] == 'D' || s[0] == 'C') && memchr(s, ':', n) == NULL)
		buf_adds(&b, "MESH:");
	buf_add(&b, s, n);
	ids[k] = b.p;
	ids[k + 1] = NULL;
	return ids;
}

static int share_id(char **a, char **b)
{
	for (size_t i = 0; a && a[i]; i++)
		for (size_t j = 0; b && b[j]; j++)
			if (!strcmp(a[i], b[j]))
				return 1;
	return 0;
}

static void free_ids(char **ids)
{
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
}

/* The next line of fp without its line end, in *line (grown as needed);
 * *lineno counts. @return its length, or -1 at the end. */
static ssize_t next_line(FILE *fp, char **line, size_t *cap, size_t *lineno)
{
	ssize_t len = getline(line, cap, fp);
	if (len < 0)
		return -1;
	(*lineno)++;
	while (len && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r'))
		(*line)[--len] = '\0';
	return len;
}

/* Split line into at most max tab-separated fields (in place). */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/* The gold mention's text is the document's at its offsets. The corpus
 * writes a few punctuation marks inside mentions as spaces ('seizures " plus
 * "' as 'seizures   plus  '): a space matches any byte but a letter or digit. */
static int text_at(const struct doc *d, const struct gold *g)
{
	size_t n = strlen(g->text);
	if (g->start < 0 || g->end > (int)d->text.len || g->start > g->end ||
	    (size_t)(g->end - g->start) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char t = (unsigned char)d->text.p[g->start + i], c = (unsigned char)g->text[i];
		if (t != c && !(c == ' ' && !isalnum(t)))
			return 0;
	}
	return 1;
}

/* Call fn(ctx, line, len, path, lineno) for every line of path: it returns
 * 0 to go on, 1 to stop, -1 after error(). @return 0 or -1. */
static int each_line(const char *path, int (*fn)(void *, char *, ssize_t, const char *, size_t),
		     void *ctx)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return error("%s: cannot open", path);
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;
	while (rc == 0 && (len = next_line(fp, &line, &cap, &lineno)) >= 0)
		rc = fn(ctx, line, len, path, lineno);
	free(line);
	fclose(fp);
	return rc < 0 ? -1 : 0;
}

struct corpus_read {
	size_t max_docs;
	int skipping;            /* in a document seen before */
};

/* A line of the corpus: title, abstract or mention. */
static int corpus_line(void *ctx, char *line, ssize_t len, const char *path, size_t lineno)
{
	struct corpus_read *c = ctx;
	if (!len)
		return 0;
	char *bar = strchr(line, '|');
	char *tab = strchr(line, '\t');
	if (bar && (!tab || bar < tab) && bar[1] && bar[2] == '|') {
		*bar = '\0';
		struct doc *d = find_doc(line);
		if (bar[1] == 't') {
			c->skipping = d != NULL;
			if (c->skipping) {
				n_repeated++; /* the training set holds 8528200 twice */
				return 0;
			}
			if (n_docs == c->max_docs)
				return 1;
			XGROW(docs, cap_docs, n_docs + 1);
			d = &docs[n_docs++];
			memset(d, 0, sizeof(*d));
			d->pmid = xstrdup(line);
			buf_adds(&d->text, bar + 3);
		} else if (d && !c->skipping) {
			buf_addc(&d->text, ' ');
			buf_adds(&d->text, bar + 3);
		}
		return 0;
	}
	char *f[6];
	if (c->skipping)
		return 0;
	if (split_tabs(line, f, 6) != 6)
		return error("%s:%zu: expected 6 tab-separated fields", path, lineno);
	struct doc *d = find_doc(f[0]);
	if (!d)
		return error("%s:%zu: mention of a document not seen before", path, lineno);
	XGROW(d->g, d->cap_g, d->n_g + 1);
	struct gold *g = &d->g[d->n_g++];
	memset(g, 0, sizeof(*g));
	g->start = atoi(f[1]);
	g->end = atoi(f[2]);
	g->text = xstrdup(f[3]);
	for (char *p = f[5];;) {
		size_t k = strcspn(p, "|+");
		if (k)
			g->ids = add_id(g->ids, p, k);
		if (!p[k])
			break;
		p += k + 1;
	}
	if (!text_at(d, g))
		return error("%s:%zu: the mention's text is not at its offsets in title + ' ' + "
			     "abstract", path, lineno);
	return 0;
}

/* A line of the predictions. */
static int pred_line(void *ctx, char *line, ssize_t len, const char *path, size_t lineno)
{
	(void)ctx;
	(void)len;
	char *f[6];
	int nf = split_tabs(line, f, 6);
	if (nf < 5)
		return error("%s:%zu: expected PMID, start, end, modifier start, concept, ids", path,
			     lineno);
	struct doc *d = find_doc(f[0]);
	if (!d)
		return 0; /* outside the excerpt */
	XGROW(d->p, d->cap_p, d->n_p + 1);
	struct pred *p = &d->p[d->n_p++];
	memset(p, 0, sizeof(*p));
	p->start = atoi(f[1]);
	p->end = atoi(f[2]);
	p->mstart = atoi(f[3]);
	p->concept = xstrdup(f[4]);
	for (char *s = nf > 5 ? f[5] : ""; *s;) {
		size_t k = strcspn(s, " ");
		if (k)
			p->ids = add_id(p->ids, s, k);
		s += k;
		while (*s == ' ')
			s++;
	}
	return 0;
}

struct prf {
	long tp, n_pred, n_gold;
};

static void print_prf(const char *what, struct prf s)
{
	double p = s.n_pred ? (double)s.tp / s.n_pred : 0, r = s.n_gold ? (double)s.tp / s.n_gold : 0;
	double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
	printf("%-44s P %.3f  R %.3f  F1 %.3f  (%ld of %ld predicted, %ld gold)\n", what, p, r, f,
	       s.tp, s.n_pred, s.n_gold);
}

/* Mention-level matching: exact spans or overlapping ones, with the concept's
 * span or the one widened to its modifiers. */
static struct prf score_mentions(int overlap, int modifiers, FILE *errors)
{
	struct prf s = { 0, 0, 0 };
	for (size_t i = 0; i < n_docs; i++) {
		struct doc *d = &docs[i];
		for (size_t j = 0; j < d->n_g; j++)
			d->g[j].taken = 0;
		s.n_gold += (long)d->n_g;
		s.n_pred += (long)d->n_p;
		for (size_t k = 0; k < d->n_p; k++) {
			struct pred *p = &d->p[k];
			int ps = modifiers ? p->mstart : p->start;
			p->taken = 0;
			for (size_t j = 0; j < d->n_g && !p->taken; j++) {
				struct gold *g = &d->g[j];
				int same = overlap ? ps < g->end && g->start < p->end
						   : ps == g->start && p->end == g->end;
				if (!g->taken && same && share_id(p->ids, g->ids)) {
					g->taken = p->taken = 1;
					s.tp++;
				}
			}
		}
		if (!errors)
			continue;
		for (size_t j = 0; j < d->n_g; j++) {
			const struct gold *g = &d->g[j];
			if (g->taken)
				continue;
			fprintf(errors, "FN\t%s\t%d\t%d\t%s\t", d->pmid, g->start, g->end, g->text);
			for (size_t q = 0; g->ids[q]; q++)
				fprintf(errors, "%s%s", q ? " " : "", g->ids[q]);
			fputc('\n', errors);
		}
		for (size_t k = 0; k < d->n_p; k++) {
			const struct pred *p = &d->p[k];
			int ps = modifiers ? p->mstart : p->start;
			if (p->taken)
				continue;
			fprintf(errors, "FP\t%s\t%d\t%d\t%.*s\t", d->pmid, ps, p->end, p->end - ps,
				d->text.p + ps);
			for (size_t q = 0; p->ids && p->ids[q]; q++)
				fprintf(errors, "%s%s", q ? " " : "", p->ids[q]);
			fputc('\n', errors);
		}
	}
	return s;
}

/* s is one of list[0..n) (a NULL-terminated list when n is SIZE_MAX). */
static int in_list(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

/* Document level: the gold ids of each document against its predicted
 * concepts. A predicted concept is right when one of its ids is among the
 * document's gold ids; a gold id is found when some predicted concept has
 * it. P = right concepts / concepts, R = found ids / gold ids. */
static struct prf2 { long tp_pred, n_pred, tp_gold, n_gold; } score_documents(void)
{
	struct prf2 s = { 0, 0, 0, 0 };
	for (size_t i = 0; i < n_docs; i++) {
		struct doc *d = &docs[i];
		char **gs = NULL;
		size_t ng = 0, cg = 0;
		for (size_t j = 0; j < d->n_g; j++)
			for (size_t q = 0; d->g[j].ids[q]; q++)
				if (!in_list(gs, ng, d->g[j].ids[q])) {
					XGROW(gs, cg, ng + 1);
					gs[ng++] = d->g[j].ids[q];
				}
		s.n_gold += (long)ng;
		for (size_t k = 0; k < d->n_p; k++) {
			int first = 1;
			for (size_t q = 0; q < k && first; q++)
				first = strcmp(d->p[q].concept, d->p[k].concept) != 0;
			if (!first)
				continue;
			s.n_pred++;
			int right = 0;
			for (size_t q = 0; d->p[k].ids && d->p[k].ids[q]; q++)
				right |= in_list(gs, ng, d->p[k].ids[q]);
			s.tp_pred += right;
		}
		for (size_t j = 0; j < ng; j++) {
			int found = 0;
			for (size_t k = 0; k < d->n_p && !found; k++)
				found = in_list(d->p[k].ids, SIZE_MAX, gs[j]);
			s.tp_gold += found;
		}
		free(gs);
	}
	return s;
}

static int write_jsonl(void)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n_docs; i++) {
		buf_reset(&b);
		buf_adds(&b, "{\"id\":");
		buf_add_json_str(&b, docs[i].pmid, strlen(docs[i].pmid));
		buf_adds(&b, ",\"findings\":");
		buf_add_json_str(&b, docs[i].text.p, docs[i].text.len);
		buf_adds(&b, "}\n");
		fwrite(b.p, 1, b.len, stdout);
	}
	buf_release(&b);
	return fflush(stdout) ? error("cannot write the documents") : 0;
}

int main(int argc, char **argv)
{
	const char *paths[2] = { NULL, NULL }, *errors = NULL;
	int jsonl = 0, n_paths = 0;
	size_t max_docs = (size_t)-1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--jsonl"))
			jsonl = 1;
		else if (!strcmp(argv[i], "--docs") && i + 1 < argc)
			max_docs = (size_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--errors") && i + 1 < argc)
			errors = argv[++i];
		else if (n_paths < 2)
			paths[n_paths++] = argv[i];
		else
			n_paths = 3;
	}
	if (n_paths != (jsonl ? 1 : 2)) {
		fprintf(stderr, "usage: ncbi_eval --jsonl [--docs N] CORPUS\n"
				"       ncbi_eval [--docs N] [--errors FILE] CORPUS PRED.tsv\n");
		return 2;
	}
	struct corpus_read cr = { max_docs, 0 };
	if (each_line(paths[0], corpus_line, &cr) < 0)
		return 1;
	if (jsonl)
		return write_jsonl() < 0;
	if (each_line(paths[1], pred_line, NULL) < 0)
		return 1;
	size_t n_gold = 0, n_pred = 0;
	for (size_t i = 0; i < n_docs; i++)
		n_gold += docs[i].n_g, n_pred += docs[i].n_p;
	printf("%zu documents (%zu repeated, kept once), %zu gold mentions, %zu predicted\n", n_docs,
	       n_repeated, n_gold, n_pred);
	FILE *ef = errors ? fopen(errors, "w") : NULL;
	if (errors && !ef)
		return error("%s: cannot write", errors), 1;
	print_prf("mentions, exact span and id", score_mentions(0, 0, NULL));
	print_prf("mentions, exact span with modifiers and id", score_mentions(0, 1, ef));
	print_prf("mentions, overlapping span and id", score_mentions(1, 0, NULL));
	print_prf("mentions, overlapping span with modifiers and id", score_mentions(1, 1, NULL));
	struct prf2 ds = score_documents();
	double dp = ds.n_pred ? (double)ds.tp_pred / ds.n_pred : 0;
	double dr = ds.n_gold ? (double)ds.tp_gold / ds.n_gold : 0;
	printf("%-44s P %.3f  R %.3f  F1 %.3f  (%ld of %ld concepts right, %ld of %ld ids found)\n",
	       "documents, concepts and ids", dp, dr, dp + dr > 0 ? 2 * dp * dr / (dp + dr) : 0,
	       ds.tp_pred, ds.n_pred, ds.tp_gold, ds.n_gold);
	if (ef)
		fclose(ef);
	for (size_t i = 0; i < n_docs; i++) {
		struct doc *d = &docs[i];
		for (size_t j = 0; j < d->n_g; j++) {
			free_ids(d->g[j].ids);
			free(d->g[j].text);
		}
		for (size_t k = 0; k < d->n_p; k++) {
			free_ids(d->p[k].ids);
			free(d->p[k].concept);
		}
		free(d->g);
		free(d->p);
		free(d->pmid);
		buf_release(&d->text);
	}
	free(docs);
	return fflush(stdout) != 0;
}
