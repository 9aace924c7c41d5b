#include "normalize.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Byte length of a UTF-8 separator at s (punctuation and symbols outside
 * ASCII), or 0 if s starts a letter. */
static size_t utf8_separator(const unsigned char *s, size_t n)
{
	if (n >= 2 && s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0xBF)
		return 2; /* U+0080..U+00BF: no-break space, degree, plus-minus, ... */
	if (n >= 2 && s[0] == 0xC3 && (s[1] == 0x97 || s[1] == 0xB7))
		return 2; /* times, division */
	if (n >= 3 && s[0] == 0xE2 && (s[1] == 0x80 || s[1] == 0x81))
		return 3; /* U+2000..U+207F: spaces, dashes, quotes, bullets */
	if (n >= 3 && s[0] == 0xE2 && s[1] >= 0x86 && s[1] <= 0x8F)
		return 3; /* arrows, math operators, technical symbols */
	return 0;
}

static int is_apostrophe(const unsigned char *s, size_t n, size_t *len)
{
	if (n >= 1 && s[0] == '\'') {
		*len = 1;
		return 1;
	}
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x99) {
		*len = 3;
		return 1;
	}
	return 0;
}

static int is_word_byte(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c >= 0x80 && !utf8_separator(s, n);
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int token_next(const char *text, size_t n, size_t *pos, struct token *t)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = *pos;
	while (i < n && !is_word_byte(s + i, n - i)) {
		size_t k = s[i] >= 0x80 ? utf8_separator(s + i, n - i) : 1;
		i += k ? k : 1;
	}
	if (i >= n) {
		*pos = n;
		return 0;
	}
	size_t start = i;
	while (i < n) {
		if (is_word_byte(s + i, n - i)) {
			i++;
			continue;
		}
		size_t alen;
		if (is_apostrophe(s + i, n - i, &alen) && i + alen < n &&
		    is_word_byte(s + i + alen, n - i - alen) && !is_digit(s[i - 1])) {
			i += alen;
			continue;
		}
		if ((s[i] == '.' || s[i] == ',') && is_digit(s[i - 1]) && i + 1 < n && is_digit(s[i + 1])) {
			i++;
			continue;
		}
		break;
	}
	t->start = (uint32_t)start;
	t->end = (uint32_t)i;
	*pos = i;
	return 1;
}

struct irregular {
	const char *plural, *singular;
	size_t len; /* of plural: compared without a strlen (text_normalize runs
		     * this on every token of every report) */
};

#define IRREGULAR(p, s) { p, s, sizeof(p) - 1 }

/* Plurals the suffix rules get wrong, sorted by plural (binary search). */
static const struct irregular irregulars[] = {
	IRREGULAR("alveoli", "alveolus"), IRREGULAR("anastomoses", "anastomosis"),
	IRREGULAR("apices", "apex"), IRREGULAR("axes", "axis"),
	IRREGULAR("bacilli", "bacillus"), IRREGULAR("bronchi", "bronchus"),
	IRREGULAR("bronchioli", "bronchiolus"), IRREGULAR("bullae", "bulla"),
	IRREGULAR("calculi", "calculus"), IRREGULAR("children", "child"),
	IRREGULAR("cortices", "cortex"), IRREGULAR("diagnoses", "diagnosis"),
	IRREGULAR("diverticula", "diverticulum"), IRREGULAR("emboli", "embolus"),
	IRREGULAR("feet", "foot"), IRREGULAR("femora", "femur"),
	IRREGULAR("fibroses", "fibrosis"), IRREGULAR("foci", "focus"),
	IRREGULAR("fungi", "fungus"), IRREGULAR("ganglia", "ganglion"),
	IRREGULAR("hemithoraces", "hemithorax"), IRREGULAR("hila", "hilum"),
	IRREGULAR("indices", "index"), IRREGULAR("lumina", "lumen"),
	IRREGULAR("mediastina", "mediastinum"), IRREGULAR("men", "man"),
	IRREGULAR("metastases", "metastasis"), IRREGULAR("necroses", "necrosis"),
	IRREGULAR("nuclei", "nucleus"), IRREGULAR("ostia", "ostium"),
	IRREGULAR("phenomena", "phenomenon"), IRREGULAR("pneumothoraces", "pneumothorax"),
	IRREGULAR("prostheses", "prosthesis"), IRREGULAR("septa", "septum"),
	IRREGULAR("stenoses", "stenosis"), IRREGULAR("sulci", "sulcus"),
	IRREGULAR("teeth", "tooth"), IRREGULAR("thoraces", "thorax"),
	IRREGULAR("thromboses", "thrombosis"), IRREGULAR("varices", "varix"),
	IRREGULAR("vertebrae", "vertebra"), IRREGULAR("vertices", "vertex"),
	IRREGULAR("viscera", "viscus"), IRREGULAR("women", "woman"),
};

struct word {
	const char *w;
	size_t len;
};

#define WORD(w) { w, sizeof(w) - 1 }

/* Words ending in s that are not plurals of a shorter word, sorted. */
static const struct word invariants[] = {
	WORD("aids"), WORD("alias"), WORD("atlas"), WORD("bias"), WORD("biceps"),
	WORD("canvas"), WORD("diabetes"), WORD("forceps"), WORD("herpes"), WORD("lues"),
	WORD("measles"), WORD("mumps"), WORD("news"), WORD("pancreas"), WORD("rabies"),
	WORD("scabies"), WORD("series"), WORD("species"), WORD("thus"), WORD("triceps"),
	WORD("whereas"),
};

/* Compare s[0..n) with w[0..k), as strcmp would. */
static int cmp_word(const char *s, size_t n, const char *w, size_t k)
{
	int c = memcmp(s, w, n < k ? n : k);
	if (c)
		return c;
	return n < k ? -1 : n > k;
}

static const char *find_irregular(const char *s, size_t n)
{
	size_t lo = 0, hi = ARRAY_SIZE(irregulars);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_word(s, n, irregulars[mid].plural, irregulars[mid].len);
		if (!c)
			return irregulars[mid].singular;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int is_invariant(const char *s, size_t n)
{
	size_t lo = 0, hi = ARRAY_SIZE(invariants);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_word(s, n, invariants[mid].w, invariants[mid].len);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* s[0..n) ends with the string literal suf */
#define ENDS_WITH(s, n, suf) \
	((n) >= sizeof(suf) - 1 && !memcmp((s) + (n) - (sizeof(suf) - 1), suf, sizeof(suf) - 1))

static size_t singularize(char *s, size_t n)
{
	const char *sing = n >= 3 ? find_irregular(s, n) : NULL;
	if (sing) {
		size_t k = strlen(sing);
		memcpy(s, sing, k + 1);
		return k;
	}
	if (n < 4 || s[n - 1] != 's' || is_invariant(s, n))
		return n;
	for (size_t i = 0; i < n; i++)
		if (is_digit((unsigned char)s[i]))
			return n; /* "t11s", codes */
	if (ENDS_WITH(s, n, "ies") && n > 4) {
		s[n - 3] = 'y';
		n -= 2;
	} else if (ENDS_WITH(s, n, "sses") || ENDS_WITH(s, n, "xes") || ENDS_WITH(s, n, "shes") ||
		   ENDS_WITH(s, n, "zzes") || (ENDS_WITH(s, n, "ches") && !ENDS_WITH(s, n, "aches"))) {
		n -= 2; /* masses, boxes, branches; but headaches -> headache */
	} else if (ENDS_WITH(s, n, "ss") || ENDS_WITH(s, n, "us") || ENDS_WITH(s, n, "is") ||
		   ENDS_WITH(s, n, "os")) {
		return n;
	} else {
		n -= 1;
	}
	s[n] = '\0';
	return n;
}

size_t token_normalize(const char *in, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z') {
			out[k++] = (char)(c + 32);
		} else if (c == 0xC3 && i + 1 < n && (unsigned char)in[i + 1] >= 0x80 &&
			   (unsigned char)in[i + 1] <= 0x9E && (unsigned char)in[i + 1] != 0x97) {
			out[k++] = (char)c; /* Latin-1 capital to small: U+00C0.. -> U+00E0.. */
			out[k++] = (char)((unsigned char)in[i + 1] + 0x20);
			i++;
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
	/* possessive: "crohn's" -> "crohn", "patients'" never reaches here (the
	 * trailing apostrophe is a separator) */
	size_t alen;
	for (size_t i = 1; i < k; i++) {
		if (is_apostrophe((const unsigned char *)out + i, k - i, &alen)) {
			if (i + alen + 1 == k && out[k - 1] == 's') {
				k = i;
				out[k] = '\0';
				return k;
			}
			/* other internal apostrophes ("o'clock") are dropped */
			memmove(out + i, out + i + alen, k - i - alen + 1);
			k -= alen;
		}
	}
	return singularize(out, k);
}

size_t text_normalize(const char *s, size_t n, struct buf *out)
{
	size_t pos = 0, count = 0;
	struct token t;
	char small[256];
	while (token_next(s, n, &pos, &t)) {
		size_t len = t.end - t.start;
		char *dst = len + 8 <= sizeof small ? small : xmalloc(len + 8);
		size_t k = token_normalize(s + t.start, len, dst);
		if (k) {
			if (count)
				buf_addc(out, ' ');
			buf_add(out, dst, k);
			count++;
		}
		if (dst != small)
			free(dst);
	}
	if (!out->p)
		buf_add(out, "", 0);
	return count;
}
