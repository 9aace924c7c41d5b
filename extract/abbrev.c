#include "abbrev.h"
#include "../common/util.h"

#include <string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII letters and digits are matched; other bytes of UTF-8 letters count
 * as word characters. */
static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_word_char(unsigned char c)
{
	return is_alnum(c) || c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Whitespace-separated words in s[a, b). */
static size_t count_words(const char *s, size_t a, size_t b)
{
	size_t n = 0;
	for (size_t i = a; i < b; i++)
		if (!is_space(s[i]) && (i == a || is_space(s[i - 1])))
			n++;
	return n;
}

/* Characters (code points) of s[a, b). */
static size_t count_chars(const char *s, size_t a, size_t b)
{
	size_t n = 0;
	for (size_t i = a; i < b; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && is_space(s[*a]))
		(*a)++;
	while (*b > *a && is_space(s[*b - 1]))
		(*b)--;
}

/* The paper's short-form test, with the project's filters against
 * parentheses that define nothing (abbrev.h). */
static int valid_short_form(const char *s, size_t a, size_t b)
{
	size_t chars = count_chars(s, a, b);
	if (chars < 2 || chars > 10 || count_words(s, a, b) > 2)
		return 0;
	if (!is_alnum((unsigned char)s[a]) && (unsigned char)s[a] < 0x80)
		return 0;
	int letter = 0, cap_or_digit = 0;
	for (size_t i = a; i < b; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=' || c == '<' || c == '>' || c == '%' || c == '+')
			return 0;
		letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
		cap_or_digit |= (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	}
	return letter && cap_or_digit;
}

/* s[a, b) contains the word w[0..n) (bounded by non-word characters). */
static int contains_word(const char *s, size_t a, size_t b, const char *w, size_t n)
{
	for (size_t i = a; i + n <= b; i++)
		if (!memcmp(s + i, w, n) && (i == a || !is_word_char((unsigned char)s[i - 1])) &&
		    (i + n == b || !is_word_char((unsigned char)s[i + n])))
			return 1;
	return 0;
}

/* The best long form for the short form s[sa, sb) in the candidate text
 * s[la, lb): @return 1 with its start in *start (it ends at lb), 0 when the
 * short form's characters cannot be matched. */
static int best_long_form(const char *s, size_t sa, size_t sb, size_t la, size_t lb,
			  size_t *start)
{
	size_t si = sb, li = lb; /* one past the characters still to match */
	while (si > sa) {
		unsigned char c = lower((unsigned char)s[si - 1]);
		if (!is_alnum(c)) {
			si--;
			continue;
		}
		int first = si - 1 == sa;
		/* the nearest same character to the left; the short form's
		 * first character must begin a word of the long form */
		while (li > la && (lower((unsigned char)s[li - 1]) != c ||
				   (first && li - 1 > la && is_word_char((unsigned char)s[li - 2]))))
			li--;
		if (li == la)
			return 0;
		li--;
		si--;
	}
	/* the long form starts at the word holding the last match */
	while (li > la && !is_space(s[li - 1]))
		li--;
	*start = li;
	return 1;
}

/* The project's addition for short forms of Latin word order ("DM" for
 * myotonic dystrophy, dystrophia myotonica): a short form of 2 to 4
 * letters whose letters are the initials of as many words right before the
 * parenthesis, in another order. @return 1 with the first word's start. */
static int initials_in_other_order(const char *s, size_t sa, size_t sb, size_t la, size_t lb,
				   size_t *start)
{
	unsigned char want[4];
	size_t k = 0;
	for (size_t i = sa; i < sb; i++) {
		unsigned char c = lower((unsigned char)s[i]);
		if (!(c >= 'a' && c <= 'z') || k == 4)
			return 0;
		want[k++] = c;
	}
	if (k < 2)
		return 0;
	/* the last k words, each starting with a letter of the short form not
	 * used yet */
	size_t i = lb;
	int used[4] = { 0, 0, 0, 0 };
	for (size_t w = 0; w < k; w++) {
		while (i > la && is_space(s[i - 1]))
			i--;
		size_t e = i;
		while (i > la && !is_space(s[i - 1]))
			i--;
		if (i == e)
			return 0;
		unsigned char c = lower((unsigned char)s[i]);
		size_t j = 0;
		while (j < k && (used[j] || want[j] != c))
			j++;
		if (j == k)
			return 0;
		used[j] = 1;
	}
	*start = i;
	return 1;
}

/* Try the pair short form s[sa, sb), long form searched in s[la, lb). */
static int try_pair(const char *s, size_t sa, size_t sb, size_t la, size_t lb,
		    struct abbrev_pair **pairs, size_t *n, size_t *cap)
{
	trim(s, &la, &lb);
	if (la >= lb)
		return 0;
	size_t sf_chars = count_chars(s, sa, sb);
	size_t max_words = sf_chars + 5 < sf_chars * 2 ? sf_chars + 5 : sf_chars * 2;
	/* the window: the last max_words words of the candidate text */
	size_t wa = lb, words = 0;
	while (wa > la) {
		if (!is_space(s[wa - 1]) && (wa - 1 == la || is_space(s[wa - 2]))) {
			if (++words == max_words) {
				wa--;
				break;
			}
		}
		wa--;
	}
	size_t start;
	if (!best_long_form(s, sa, sb, wa, lb, &start) && !initials_in_other_order(s, sa, sb, la, lb,
										 &start))
		return 0;
	/* the long form begins with its first word character */
	while (start < lb && !is_word_char((unsigned char)s[start]))
		start++;
	if (start >= lb || count_chars(s, start, lb) <= sf_chars ||
	    count_words(s, start, lb) > max_words || contains_word(s, start, lb, s + sa, sb - sa))
		return 0;
	XGROW(*pairs, *cap, *n + 1);
	(*pairs)[(*n)++] = (struct abbrev_pair){ (uint32_t)sa, (uint32_t)sb, (uint32_t)start,
						 (uint32_t)lb };
	return 1;
}

size_t abbrev_find(const char *text, size_t start, size_t end, size_t limit,
		   struct abbrev_pair **pairs, size_t *n, size_t *cap)
{
	size_t found = 0;
	for (size_t p = start; p < end; p++) {
		if (text[p] != '(')
			continue;
		/* the matching ')' (within 200 bytes), over nested pairs */
		size_t q = p + 1, qmax = limit < p + 200 ? limit : p + 200;
		int depth = 0, nested = 0;
		for (; q < qmax; q++) {
			if (text[q] == '(') {
				depth++;
				nested = 1;
			} else if (text[q] == ')' && !depth--) {
				break;
			}
		}
		if (q >= qmax)
			continue;
		/* inside, up to a ';', a ',' or a nested '(' ("(X-ALD (1))") */
		size_t ia = p + 1, ib = q;
		for (size_t i = ia; i < ib; i++)
			if (text[i] == ';' || text[i] == ',' || text[i] == '(') {
				ib = i;
				break;
			}
		trim(text, &ia, &ib);
		if (ia >= ib)
			continue;
		/* the text before: the sentence after any bracket or ';' */
		size_t la = p;
		while (la > start && text[la - 1] != '(' && text[la - 1] != ')' && text[la - 1] != '[' &&
		       text[la - 1] != ']' && text[la - 1] != ';')
			la--;
		if (valid_short_form(text, ia, ib)) {
			found += (size_t)try_pair(text, ia, ib, la, p, pairs, n, cap);
			continue;
		}
		/* "short form (long form)": the word before the parenthesis */
		size_t wb = p;
		while (wb > la && is_space(text[wb - 1]))
			wb--;
		size_t wa = wb;
		while (wa > la && !is_space(text[wa - 1]))
			wa--;
		/* a word's trailing punctuation is not part of it */
		while (wb > wa && !is_word_char((unsigned char)text[wb - 1]))
			wb--;
		if (!nested && wa < wb && valid_short_form(text, wa, wb) && count_words(text, ia, ib) >= 2)
			found += (size_t)try_pair(text, wa, wb, ia, ib, pairs, n, cap);
	}
	return found;
}
