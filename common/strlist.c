#include "strlist.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *str_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int split_fields(char *s, size_t len, char sep, char **fields, int max)
{
	int n = 0;
	char *end = s + len, *p = s;
	for (;;) {
		char *q = memchr(p, sep, (size_t)(end - p));
		if (n < max)
			fields[n] = p;
		n++;
		if (!q)
			break;
		*q = '\0';
		p = q + 1;
	}
	return n;
}

char **strlist_add(char **list, const char *item)
{
	size_t n = strlist_len(list);
	list = xrealloc(list, (n + 2) * sizeof(*list));
	list[n] = xstrdup(item);
	list[n + 1] = NULL;
	return list;
}

char **strlist_parse(const char *s)
{
	char **list = xcalloc(1, sizeof(*list));
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n) {
			char *item = xstrndup(s, n);
			list = strlist_add(list, item);
			free(item);
		}
		if (!e)
			break;
		s = e + 1;
	}
	return list;
}

char **strlist_add_csv(char **list, const char *csv)
{
	char **items = strlist_parse(csv);
	if (!list)
		list = xcalloc(1, sizeof(*list));
	for (size_t i = 0; items[i]; i++)
		list = strlist_add(list, items[i]);
	strlist_free(items);
	return list;
}

size_t strlist_len(char *const *list)
{
	size_t n = 0;
	while (list && list[n])
		n++;
	return n;
}

int strlist_has(char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

void strlist_free(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}
