#include "sentences.h"
#include "../common/util.h"

#include <string.h>
#include <strings.h>

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static int alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Words after which a period does not end a sentence (lower case, inner
 * periods kept). */
static const char *const abbreviations[] = {
	"approx", "appr", "e.g", "i.e", "vs", "cf", "dr", "mr", "mrs", "ms", "fig", "figs",
	"incl", "esp", "resp", "pt", "pts", "no", "nos", "est", "ca", "al", "etc.,",
};

static int abbreviation_before(const char *t, size_t start, size_t i)
{
	size_t j = i;
	while (j > start && (alpha(t[j - 1]) || t[j - 1] == '.'))
		j--;
	size_t n = i - j;
	if (n == 0)
		return 0;
	if (n == 1)
		return 1; /* an initial, or a letter of "e.g." */
	for (size_t k = 0; k < ARRAY_SIZE(abbreviations); k++)
		if (strlen(abbreviations[k]) == n && !strncasecmp(abbreviations[k], t + j, n)) {
			/* "no." ends a sentence unless a number follows ("No. 2") */
			if (n == 2 && !strncasecmp(t + j, "no", 2)) {
				size_t q = i + 1;
				while (q < i + 4 && t[q] == ' ')
					q++;
				return digit(t[q]);
			}
			return 1;
		}
	return 0;
}

/* Is t[i] (a '.' or ')') the end of a list number that opens the sentence
 * begun at s ("1." or "2)")? */
static int opening_list_number(const char *t, size_t s, size_t i)
{
	size_t j = i;
	while (j > s && digit(t[j - 1]))
		j--;
	if (j == i || i - j > 2)
		return 0;
	while (j > s && blank(t[j - 1]))
		j--;
	return j == s;
}

/* Does a list item start at t[j] ("- ", "* ", "1. ", "2) ")? */
static int list_item_at(const char *t, size_t j, size_t end)
{
	if (j + 1 < end && (t[j] == '-' || t[j] == '*') && blank(t[j + 1]))
		return 1;
	if (j + 3 < end && (unsigned char)t[j] == 0xE2 && (unsigned char)t[j + 1] == 0x80 &&
	    (unsigned char)t[j + 2] == 0xA2)
		return 1; /* bullet */
	size_t k = j;
	while (k < end && k < j + 3 && digit(t[k]))
		k++;
	return k > j && k - j <= 2 && k + 1 < end && (t[k] == '.' || t[k] == ')') && blank(t[k + 1]);
}

static void emit(const char *t, size_t a, size_t b, struct span **out, size_t *n, size_t *cap)
{
	while (a < b && blank(t[a]))
		a++;
	while (b > a && blank(t[b - 1]))
		b--;
	if (a >= b)
		return;
	XGROW(*out, *cap, *n + 1);
	(*out)[*n].start = (uint32_t)a;
	(*out)[*n].end = (uint32_t)b;
	(*n)++;
}

void sentences_split(const char *t, size_t start, size_t end, struct span **out, size_t *n,
		     size_t *cap)
{
	size_t s = start;
	while (s < end && blank(t[s]))
		s++;
	for (size_t i = s; i < end; i++) {
		char c = t[i];
		if (c == '\n') {
			size_t j = i + 1;
			while (j < end && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r'))
				j++;
			if (j < end && (t[j] == '\n' || list_item_at(t, j, end))) {
				emit(t, s, i, out, n, cap);
				s = j;
				i = j - 1;
			}
			continue;
		}
		if (digit(c) && i > s && blank(t[i - 1]) && list_item_at(t, i, end)) {
			/* "... no change 2. Stable ..." : a list number inside a
			 * sentence that was not ended by a period */
			size_t p = i;
			while (p > s && blank(t[p - 1]))
				p--;
			size_t k = i;
			while (digit(t[k]))
				k++;
			char before = p > s ? t[p - 1] : 0;
			if ((alpha(before) || before == ')' || before == ':') &&
			    (t[k] == ')' || (k + 2 < end && upper(t[k + 2])))) {
				emit(t, s, i, out, n, cap);
				s = i;
			}
			continue;
		}
		if (c != '.' && c != '?' && c != '!')
			continue;
		if (c == '.' && i > s && digit(t[i - 1]) && i + 1 < end && digit(t[i + 1]))
			continue; /* 3.5 */
		size_t k = i + 1;
		while (k < end && (t[k] == ')' || t[k] == '"' || t[k] == '\''))
			k++;
		if (k >= end) {
			emit(t, s, end, out, n, cap);
			s = end;
			break;
		}
		if (blank(t[k])) {
			if (c == '.' && (abbreviation_before(t, s, i) || opening_list_number(t, s, i)))
				continue;
			emit(t, s, k, out, n, cap);
			s = k;
		} else if (c == '.' && upper(t[k]) && i >= s + 2 && alpha(t[i - 1]) &&
			   alpha(t[i - 2]) && !abbreviation_before(t, s, i)) {
			emit(t, s, k, out, n, cap); /* "apex.There" */
			s = k;
		}
	}
	emit(t, s, end, out, n, cap);
}

enum gap gap_classify(const char *t, size_t a, size_t b)
{
	enum gap g = GAP_SPACE;
	for (size_t i = a; i < b; i++) {
		unsigned char c = (unsigned char)t[i];
		enum gap h;
		if (blank((char)c))
			continue;
		if (c == ';')
			return GAP_STOP;
		if (c == ',')
			h = GAP_COMMA;
		else if (c == '/')
			h = GAP_SLASH;
		else if (c == '-' || c == '\'' || c >= 0x80)
			h = GAP_JOIN;
		else
			h = GAP_PUNCT;
		if (h > g)
			g = h;
	}
	return g;
}
