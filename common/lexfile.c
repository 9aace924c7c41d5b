#include "lexfile.h"
#include "embedded.h"
#include "util.h"
#include "zio.h"

#include <string.h>

int lexfile_parse(const char *name, const char *text, size_t len, const char *const *classes,
		  int n_classes, const char *class_list,
		  int (*add)(void *ctx, const struct lexfile_line *l), void *ctx)
{
	size_t line = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		line++;
		const char *q = p;
		p = nl ? nl + 1 : end;
		while (e > q && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		if (e == q || *q == '#')
			continue;
		const char *tab = memchr(q, '\t', (size_t)(e - q));
		if (!tab)
			return error("%s:%zu: expected 'phrase<TAB>class'", name, line);
		const char *c = tab + 1;
		while (c < e && *c == '\t')
			c++;
		struct lexfile_line l = { q, (size_t)(tab - q), 0, line };
		for (int k = 1; k < n_classes; k++)
			if (strlen(classes[k]) == (size_t)(e - c) && !memcmp(classes[k], c, (size_t)(e - c)))
				l.cls = k;
		if (!l.cls)
			return error("%s:%zu: unknown class '%.*s' (%s)", name, line, (int)(e - c), c,
				     class_list);
		if (add(ctx, &l) < 0)
			return -1;
	}
	return 0;
}

int lexfile_read(const char *path, const char *embedded, const char **text, size_t *len,
		 int *owned)
{
	*owned = 0;
	if (!path) {
		const struct embedded_file *f = embedded_get(embedded);
		if (!f)
			return error("the built-in %s is missing", embedded);
		*text = f->data;
		*len = f->size;
		return 0;
	}
	char *t = NULL;
	if (zfile_slurp(path, &t, len, 16u << 20) < 0)
		return -1;
	*text = t;
	*owned = 1;
	return 0;
}
