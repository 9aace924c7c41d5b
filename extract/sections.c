#define _GNU_SOURCE
#include "sections.h"
#include "../common/buf.h"
#include "../common/util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Headings, upper case, by canonical section. */
static const struct {
	const char *heading, *section;
} headings[] = {
	{ "FINDINGS", "findings" },
	{ "FINDING", "findings" },
	{ "IMPRESSION", "impression" },
	{ "IMPRESSIONS", "impression" },
	{ "CONCLUSION", "impression" },
	{ "CONCLUSIONS", "impression" },
	{ "INDICATION", "indication" },
	{ "INDICATIONS", "indication" },
	{ "HISTORY", "indication" },
	{ "CLINICAL HISTORY", "indication" },
	{ "CLINICAL INDICATION", "indication" },
	{ "CLINICAL INFORMATION", "indication" },
	{ "REASON FOR EXAM", "indication" },
	{ "REASON FOR EXAMINATION", "indication" },
	{ "COMPARISON", "comparison" },
	{ "COMPARISONS", "comparison" },
	{ "TECHNIQUE", "technique" },
	{ "EXAMINATION", "technique" },
	{ "EXAM", "technique" },
};

const char *section_canonical(const char *label, size_t n)
{
	while (n && (label[n - 1] == ':' || label[n - 1] == ' ' || label[n - 1] == '\t'))
		n--;
	while (n && (*label == ' ' || *label == '\t'))
		label++, n--;
	for (size_t i = 0; i < ARRAY_SIZE(headings); i++) {
		const char *h = headings[i].heading;
		if (strlen(h) == n && !strncasecmp(h, label, n))
			return headings[i].section;
	}
	/* lower-case canonical names given as labels ("findings") */
	static const char *const names[] = { "findings", "impression", "indication",
					     "comparison", "technique", "report", "other" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && !strncasecmp(names[i], label, n))
			return names[i];
	return NULL;
}

static pcre2_code *pattern;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

/* Append a heading as alternatives: "CLINICAL HISTORY|Clinical [Hh]istory". */
static void add_heading(struct buf *b, const char *h)
{
	if (b->len && b->p[b->len - 1] != '(')
		buf_addc(b, '|');
	for (const char *p = h; *p; p++)
		buf_addc(b, *p == ' ' ? ' ' : *p);
	buf_addc(b, '|');
	int word_start = 1;
	for (const char *p = h; *p; p++) {
		if (*p == ' ') {
			buf_addc(b, ' ');
			word_start = 1;
		} else if (word_start && p != h) {
			buf_addf(b, "[%c%c]", *p, *p + 32);
			word_start = 0;
		} else {
			buf_addc(b, word_start ? *p : (char)(*p + 32));
			word_start = 0;
		}
	}
}

static void compile_pattern(void)
{
	struct buf alts = BUF_INIT, pat = BUF_INIT;
	buf_addc(&alts, '(');
	for (size_t i = 0; i < ARRAY_SIZE(headings); i++)
		add_heading(&alts, headings[i].heading);
	buf_addc(&alts, ')');
	/* 1: a known heading at the start of a line, with a colon or alone on
	 *    its line; 2: a known heading after the end of a sentence, with a
	 *    colon; 3: another upper-case heading with a colon at a line start. */
	buf_addf(&pat,
		 "(?m)^[ \\t]*%s[ \\t]*(?::|(?=\\r?$))"
		 "|(?<=[.!?])[ \\t]+%s[ \\t]*:"
		 "|^[ \\t]*([A-Z][A-Z /&()-]{2,40}):",
		 alts.p, alts.p);
	int err;
	PCRE2_SIZE off;
	pattern = pcre2_compile((PCRE2_SPTR)pat.p, pat.len, PCRE2_UTF | PCRE2_NO_UTF_CHECK, &err,
				&off, NULL);
	if (pattern)
		pcre2_jit_compile(pattern, PCRE2_JIT_COMPLETE);
	buf_release(&alts);
	buf_release(&pat);
}

static void add_section(struct report *r, const char *name, size_t start, size_t end)
{
	const char *t = r->text.p;
	while (start < end && (t[start] == ' ' || t[start] == '\t' || t[start] == '\n' ||
			       t[start] == '\r'))
		start++;
	while (end > start && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\n' ||
			       t[end - 1] == '\r'))
		end--;
	if (start >= end)
		return;
	XGROW(r->sec, r->cap_sec, r->n_sec + 1);
	struct report_section *s = &r->sec[r->n_sec++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->start = (uint32_t)start;
	s->end = (uint32_t)end;
}

int sections_detect(struct report *r, size_t start, size_t end)
{
	pthread_once(&pattern_once, compile_pattern);
	if (!pattern)
		return error("cannot compile the section heading pattern");
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(pattern, NULL);
	const char *text = r->text.p;
	const char *name = NULL; /* section open at pos, NULL: before any heading */
	size_t pos = start, found = 0, at = start;
	int rc = 0;
	for (;;) {
		int m = pcre2_match(pattern, (PCRE2_SPTR)text, end, at, PCRE2_NO_UTF_CHECK, md, NULL);
		if (m == PCRE2_ERROR_NOMATCH)
			break;
		if (m < 0) {
			rc = error("section heading pattern failed (PCRE2 error %d)", m);
			goto out;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		const char *sec = NULL;
		for (int g = 1; g <= 3; g++) {
			if (ov[2 * g] == PCRE2_UNSET)
				continue;
			sec = section_canonical(text + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
			if (!sec)
				sec = "other";
			break;
		}
		size_t hstart = ov[0], hend = ov[1];
		add_section(r, name ? name : "other", pos, hstart);
		name = sec;
		pos = hend;
		found++;
		at = hend > at ? hend : at + 1;
		if (at >= end)
			break;
	}
	add_section(r, found ? name : "report", pos, end);
	rc = (int)found;
out:
	pcre2_match_data_free(md);
	return rc;
}
