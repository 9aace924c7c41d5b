#define _POSIX_C_SOURCE 200809L
#include "report.h"
#include "../store/mentions.h"
#include "../common/util.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const polarities[] = { "affirmed", "negated", "uncertain" };
static const char *const polarity_colors[] = { "#2b7bb9", "#d95f02", "#7570b3" };

/* Append s HTML-escaped (text and attribute values alike). */
static void esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s);
		}
	}
}

/*
 * The one way text reaches the page: html_addf appends fmt as buf_addf
 * would, except that every %s argument is escaped (esc), so a string from
 * the store (a CUI, a name, a region, a stage, a path) can never become
 * markup. The markup itself is the format. Conversions: %s, %%, and
 * d and u (with the length modifiers l, ll, z), f and g (with precision,
 * also '*'), with flags and widths.
 */
static void html_addf(struct buf *b, const char *fmt, ...) MK_PRINTF(2, 3);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void html_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		if (!pct) {
			buf_adds(b, fmt);
			break;
		}
		buf_add(b, fmt, (size_t)(pct - fmt));
		/* one conversion: %[flags][width][.precision][length]conv */
		char spec[32];
		size_t k = 0;
		int n_star = 0, len = 0;
		const char *p = pct + 1;
		spec[k++] = '%';
		while (*p && strchr("-+ #0123456789.*", *p) && k < sizeof spec - 4) {
			n_star += *p == '*';
			spec[k++] = *p++;
		}
		while (*p == 'l' || *p == 'z') {
			len = *p == 'z' ? 'z' : len == 'l' ? 'L' : 'l';
			spec[k++] = *p++;
		}
		char conv = *p ? *p++ : '%';
		spec[k++] = conv;
		spec[k] = '\0';
		int w[2] = { 0, 0 };
		for (int i = 0; i < n_star; i++)
			w[i] = va_arg(ap, int);
		switch (conv) {
		case '%':
			buf_addc(b, '%');
			break;
		case 's':
			assert(k == 2); /* no width or precision: they would count escapes */
			esc(b, va_arg(ap, const char *));
			break;
		case 'd':
		case 'u':
			assert(!n_star);
			if (len == 'L')
				buf_addf(b, spec, va_arg(ap, long long));
			else if (len == 'z')
				buf_addf(b, spec, va_arg(ap, size_t));
			else if (len == 'l')
				buf_addf(b, spec, va_arg(ap, long));
			else
				buf_addf(b, spec, va_arg(ap, int));
			break;
		default: { /* f, g, e */
			double v = va_arg(ap, double);
			if (n_star == 2)
				buf_addf(b, spec, w[0], w[1], v);
			else if (n_star == 1)
				buf_addf(b, spec, w[0], v);
			else
				buf_addf(b, spec, v);
		}
		}
		fmt = p;
	}
	va_end(ap);
}
#pragma GCC diagnostic pop

static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

/* A round number at or above x, for axis ends. */
static double nice_ceil(double x)
{
	if (x <= 0)
		return 1;
	double p = pow(10, floor(log10(x)));
	for (int k = 1; k <= 10; k++) {
		double v = k * p;
		if (k == 3 || k == 4 || k == 6 || k == 7 || k == 8 || k == 9)
			continue;
		if (v >= x)
			return v;
	}
	return 10 * p;
}

static void fmt_num(char *out, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, "%.3g", v);
}

static void section_open(struct buf *b, const char *title, const char *note)
{
	buf_adds(b, "<section><h2>");
	esc(b, title);
	buf_adds(b, "</h2>");
	if (note) {
		buf_adds(b, "<p class=\"note\">");
		esc(b, note);
		buf_adds(b, "</p>");
	}
}

static void empty_chart(struct buf *b, const char *id, const char *msg)
{
	html_addf(b, "<svg id=\"%s\" class=\"empty\" width=\"600\" height=\"40\" "
		    "xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"25\">", id);
	esc(b, msg);
	buf_adds(b, "</text></svg></section>\n");
}

/* ------------------------------------------------------------ summary */

static int summary(struct store *st, struct buf *b)
{
	static const struct { const char *label, *sql; } rows[] = {
		{ "concepts", "SELECT count(*) FROM concepts" },
		{ "triples", "SELECT count(*) FROM triples" },
		{ "reports", "SELECT count(*) FROM reports" },
		{ "mentions", "SELECT count(*) FROM mentions" },
		{ "region links", "SELECT count(*) FROM mention_regions" },
		{ "embedding models", "SELECT count(*) FROM embedding_models" },
	};
	buf_adds(b, "<table id=\"summary\"><tr>");
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		html_addf(b, "<th>%s</th>", rows[i].label);
	buf_adds(b, "</tr><tr>");
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		int64_t v = store_int(st, rows[i].sql, -1);
		if (v < 0)
			return store_error(st, "counting rows");
		html_addf(b, "<td data-label=\"%s\" data-value=\"%lld\">%lld</td>", rows[i].label,
			 (long long)v, (long long)v);
	}
	buf_adds(b, "</tr></table>\n");
	return 0;
}

/* ------------------------------------------------------------ charts */

/* Horizontal bars of the 30 most frequent concepts. */
static int chart_concepts(struct store *st, struct buf *b, int *drawn)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT c.cui, c.name, count(*) AS n FROM mentions m JOIN concepts c ON c.id = m.concept "
		"GROUP BY m.concept ORDER BY n DESC, c.cui LIMIT 30");
	if (!q)
		return -1;
	struct { char *cui, *name; int64_t n; } rows[30];
	int n = 0, rc;
	while (n < 30 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		rows[n].cui = xstrdup(col_text(q, 0));
		rows[n].name = xstrdup(col_text(q, 1));
		rows[n].n = sqlite3_column_int64(q, 2);
		n++;
	}
	sqlite3_finalize(q);
	section_open(b, "Concept frequency", "The 30 concepts mentioned most often in the reports "
					     "(every polarity).");
	if (!n) {
		empty_chart(b, "chart-concepts", "no mentions in the store");
		return 0;
	}
	const int left = 260, width = 560, bar = 18, gap = 4, top = 10;
	double max = nice_ceil((double)rows[0].n);
	int height = top + n * (bar + gap) + 30;
	html_addf(b, "<svg id=\"chart-concepts\" width=\"%d\" height=\"%d\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n", left + width + 60, height);
	for (int i = 0; i < n; i++) {
		int y = top + i * (bar + gap);
		double w = width * (double)rows[i].n / max;
		html_addf(b, "<g class=\"bar\" data-label=\"%s\" data-value=\"%lld\"><title>", rows[i].cui,
			 (long long)rows[i].n);
		esc(b, rows[i].name);
		html_addf(b, " (%s): %lld mentions</title>", rows[i].cui, (long long)rows[i].n);
		html_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + bar - 4);
		esc(b, rows[i].name);
		html_addf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			    "fill=\"#2b7bb9\"/><text x=\"%.1f\" y=\"%d\" class=\"value\">%lld</text></g>\n",
			 left, y, w, bar, left + w + 4, y + bar - 4, (long long)rows[i].n);
		free(rows[i].cui);
		free(rows[i].name);
	}
	int axis_y = top + n * (bar + gap);
	html_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>", left, axis_y,
		 left + width, axis_y);
	for (int k = 0; k <= 4; k++) {
		char v[32];
		fmt_num(v, sizeof v, max * k / 4);
		html_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%s</text>",
			 left + width * k / 4, axis_y + 16, v);
	}
	buf_adds(b, "</svg></section>\n");
	(*drawn)++;
	return 0;
}

/* One stacked bar per section: its mentions by polarity. */
static int chart_polarity(struct store *st, struct buf *b, int *drawn)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT section, polarity, count(*) FROM mentions GROUP BY section, polarity "
		"ORDER BY section");
	if (!q)
		return -1;
	struct row { char *section; int64_t n[3]; } *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *sec = col_text(q, 0), *pol = col_text(q, 1);
		if (!n || strcmp(rows[n - 1].section, sec)) {
			XGROW(rows, cap, n + 1);
			memset(&rows[n], 0, sizeof rows[n]);
			rows[n++].section = xstrdup(sec);
		}
		for (int p = 0; p < 3; p++)
			if (!strcmp(pol, polarities[p]))
				rows[n - 1].n[p] = sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	section_open(b, "Mentions by section and polarity",
		     "Each bar is a section of the reports; its parts are the mentions found "
		     "affirmed, negated and uncertain.");
	if (!n) {
		empty_chart(b, "chart-polarity", "no mentions in the store");
		return 0;
	}
	int64_t max = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t t = rows[i].n[0] + rows[i].n[1] + rows[i].n[2];
		max = t > max ? t : max;
	}
	const int left = 120, width = 600, bar = 26, gap = 8, top = 34;
	int height = top + (int)n * (bar + gap) + 10;
	html_addf(b, "<svg id=\"chart-polarity\" width=\"%d\" height=\"%d\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n", left + width + 300, height);
	for (int p = 0; p < 3; p++)
		html_addf(b, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			    "<text x=\"%d\" y=\"17\">%s</text>",
			 left + p * 120, polarity_colors[p], left + p * 120 + 16, polarities[p]);
	for (size_t i = 0; i < n; i++) {
		int y = top + (int)i * (bar + gap);
		int64_t total = rows[i].n[0] + rows[i].n[1] + rows[i].n[2];
		html_addf(b, "<g class=\"section\" data-section=\"");
		esc(b, rows[i].section);
		html_addf(b, "\" data-value=\"%lld\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			 (long long)total, left - 6, y + bar - 8);
		esc(b, rows[i].section);
		buf_adds(b, "</text>");
		double x = left;
		for (int p = 0; p < 3; p++) {
			double w = (double)width * (double)rows[i].n[p] / (double)max;
			html_addf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
				    "data-polarity=\"%s\" data-value=\"%lld\"><title>",
				 x, y, w, bar, polarity_colors[p], polarities[p], (long long)rows[i].n[p]);
			esc(b, rows[i].section);
			html_addf(b, ", %s: %lld</title></rect>", polarities[p], (long long)rows[i].n[p]);
			x += w;
		}
		html_addf(b, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%lld (%lld negated, %lld "
			    "uncertain)</text></g>\n",
			 x + 6, y + bar - 8, (long long)total, (long long)rows[i].n[1],
			 (long long)rows[i].n[2]);
		free(rows[i].section);
	}
	free(rows);
	buf_adds(b, "</svg></section>\n");
	(*drawn)++;
	return 0;
}

/* Histogram: how many reports have k distinct concepts mentioned. */
static int chart_entities(struct store *st, struct buf *b, int *drawn)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT k, count(*) FROM (SELECT (SELECT count(DISTINCT concept) FROM mentions m "
		"WHERE " MENTIONS_OF("r", "m") ") AS k FROM reports r) GROUP BY k ORDER BY k");
	if (!q)
		return -1;
	int64_t *count = NULL;
	size_t cap = 0, kmax = 0;
	int64_t reports = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t k = (size_t)sqlite3_column_int64(q, 0);
		size_t old = cap;
		XGROW(count, cap, k + 1);
		memset(count + old, 0, (cap - old) * sizeof(*count));
		count[k] = sqlite3_column_int64(q, 1);
		reports += count[k];
		kmax = k > kmax ? k : kmax;
	}
	sqlite3_finalize(q);
	section_open(b, "Entities per report",
		     "How many reports mention how many distinct concepts (a report with none "
		     "counts at 0).");
	if (!reports) {
		free(count);
		empty_chart(b, "chart-entities", "no reports in the store");
		return 0;
	}
	/* at most 40 bins */
	size_t width_bin = (kmax + 1 + 39) / 40;
	size_t n_bins = (kmax + width_bin) / width_bin;
	int64_t *bins = xcalloc(n_bins, sizeof(*bins));
	int64_t max = 0;
	for (size_t k = 0; k <= kmax; k++)
		bins[k / width_bin] += count[k];
	for (size_t i = 0; i < n_bins; i++)
		max = bins[i] > max ? bins[i] : max;
	double top_v = nice_ceil((double)max);
	const int left = 60, plot_w = 640, plot_h = 220, top = 10;
	double bw = (double)plot_w / (double)n_bins;
	html_addf(b, "<svg id=\"chart-entities\" width=\"%d\" height=\"%d\" data-reports=\"%lld\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n",
		 left + plot_w + 20, top + plot_h + 50, (long long)reports);
	for (size_t i = 0; i < n_bins; i++) {
		size_t lo = i * width_bin, hi = lo + width_bin - 1;
		double h = plot_h * (double)bins[i] / top_v;
		html_addf(b, "<rect class=\"bin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"#1b9e77\" data-lo=\"%zu\" data-hi=\"%zu\" data-value=\"%lld\">"
			    "<title>",
			 left + i * bw + 1, top + plot_h - h, bw > 2 ? bw - 2 : bw, h, lo, hi,
			 (long long)bins[i]);
		if (lo == hi)
			html_addf(b, "%zu entities: %lld reports</title></rect>\n", lo, (long long)bins[i]);
		else
			html_addf(b, "%zu-%zu entities: %lld reports</title></rect>\n", lo, hi,
				 (long long)bins[i]);
		if (n_bins <= 20 || i % (n_bins / 10 + 1) == 0)
			html_addf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%zu"
				    "</text>",
				 left + (i + 0.5) * bw, top + plot_h + 16, lo);
	}
	html_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>"
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>",
		 left, top + plot_h, left + plot_w, top + plot_h, left, top, left, top + plot_h);
	for (int k = 0; k <= 4; k++) {
		char v[32];
		fmt_num(v, sizeof v, top_v * k / 4);
		html_addf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s</text>",
			 left - 6, top + plot_h - plot_h * k / 4.0 + 4, v);
	}
	html_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">distinct "
		    "concepts in a report</text>",
		 left + plot_w / 2, top + plot_h + 38);
	buf_adds(b, "</svg></section>\n");
	free(bins);
	free(count);
	(*drawn)++;
	return 0;
}

/* The atlas regions on a chest outline, shaded by their number of links. */
static int chart_regions(struct store *st, struct buf *b, int *drawn)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT r.name, r.x1, r.y1, r.x2, r.y2, "
		"(SELECT count(*) FROM mention_regions l WHERE l.region = r.name) AS n "
		"FROM regions r WHERE r.image IS NULL "
		"ORDER BY (r.x2 - r.x1) * (r.y2 - r.y1) DESC, r.name");
	if (!q)
		return -1;
	struct reg { char *name; double x1, y1, x2, y2; int64_t n; } *rows = NULL;
	size_t n = 0, cap = 0;
	int64_t max = 0, total = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		XGROW(rows, cap, n + 1);
		rows[n].name = xstrdup(col_text(q, 0));
		rows[n].x1 = sqlite3_column_double(q, 1);
		rows[n].y1 = sqlite3_column_double(q, 2);
		rows[n].x2 = sqlite3_column_double(q, 3);
		rows[n].y2 = sqlite3_column_double(q, 4);
		rows[n].n = sqlite3_column_int64(q, 5);
		if (strcmp(rows[n].name, "whole image") && rows[n].n > max)
			max = rows[n].n;
		total += rows[n].n;
		n++;
	}
	sqlite3_finalize(q);
	section_open(b, "Links by region",
		     "Finding mentions linked to each anatomical region (atlas boxes of a frontal "
		     "chest radiograph; the patient's right is on the left). Darker is more.");
	if (!n) {
		free(rows);
		empty_chart(b, "chart-regions", "no regions in the store (the link stage has not run)");
		return 0;
	}
	const int size = 420, pad = 20, legend_x = size + 2 * pad + 20;
	int height = size + 2 * pad;
	if (height < 40 + 16 * (int)n)
		height = 40 + 16 * (int)n;
	html_addf(b, "<svg id=\"chart-regions\" width=\"%d\" height=\"%d\" data-links=\"%lld\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n", legend_x + 300, height,
		 (long long)total);
	/* the outline: thorax, lungs, heart and diaphragm, in atlas coordinates */
#define P(x, y) pad + (x) * size, pad + (y) * size
	html_addf(b, "<g class=\"outline\" fill=\"none\" stroke=\"#999\" stroke-width=\"2\">"
		    "<path d=\"M %.0f %.0f C %.0f %.0f %.0f %.0f %.0f %.0f L %.0f %.0f L %.0f %.0f "
		    "C %.0f %.0f %.0f %.0f %.0f %.0f Z\"/>",
		 P(0.42, 0.02), P(0.05, 0.05), P(0.02, 0.6), P(0.04, 0.86), P(0.96, 0.86),
		 P(0.96, 0.86), P(0.98, 0.6), P(0.95, 0.05), P(0.58, 0.02));
	html_addf(b, "<path d=\"M %.0f %.0f C %.0f %.0f %.0f %.0f %.0f %.0f C %.0f %.0f %.0f %.0f "
		    "%.0f %.0f Z\"/>",
		 P(0.42, 0.10), P(0.12, 0.12), P(0.06, 0.60), P(0.07, 0.80), P(0.30, 0.70),
		 P(0.45, 0.75), P(0.42, 0.10));
	html_addf(b, "<path d=\"M %.0f %.0f C %.0f %.0f %.0f %.0f %.0f %.0f C %.0f %.0f %.0f %.0f "
		    "%.0f %.0f Z\"/>",
		 P(0.58, 0.10), P(0.88, 0.12), P(0.94, 0.60), P(0.93, 0.82), P(0.70, 0.74),
		 P(0.55, 0.78), P(0.58, 0.10));
	html_addf(b, "<ellipse cx=\"%.0f\" cy=\"%.0f\" rx=\"%.0f\" ry=\"%.0f\"/></g>\n",
		 P(0.55, 0.62), 0.17 * size, 0.14 * size);
#undef P
	for (size_t i = 0; i < n; i++) {
		const struct reg *r = &rows[i];
		int whole = !strcmp(r->name, "whole image");
		double a = whole || !max ? 0 : 0.08 + 0.62 * (double)r->n / (double)max;
		html_addf(b, "<rect class=\"region\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"#c0392b\" fill-opacity=\"%.3f\" stroke=\"#c0392b\" "
			    "stroke-opacity=\"%s\" data-region=\"",
			 pad + r->x1 * size, pad + r->y1 * size, (r->x2 - r->x1) * size,
			 (r->y2 - r->y1) * size, r->n ? a : 0.0, r->n && !whole ? "0.6" : "0.15");
		esc(b, r->name);
		html_addf(b, "\" data-value=\"%lld\"><title>", (long long)r->n);
		esc(b, r->name);
		html_addf(b, ": %lld links</title></rect>\n", (long long)r->n);
	}
	/* legend: regions with links, most first */
	html_addf(b, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">links per region</text>",
		 legend_x, pad + 4);
	int line = 0;
	int *order = xmalloc(n * sizeof(int));
	for (size_t i = 0; i < n; i++)
		order[i] = (int)i;
	for (size_t i = 1; i < n; i++) /* insertion sort by count, descending */
		for (size_t j = i; j > 0 && rows[order[j]].n > rows[order[j - 1]].n; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		const struct reg *r = &rows[order[i]];
		if (!r->n)
			continue;
		html_addf(b, "<text x=\"%d\" y=\"%d\" class=\"legend\">%lld  ", legend_x,
			 pad + 24 + 16 * line++, (long long)r->n);
		esc(b, r->name);
		buf_adds(b, "</text>");
	}
	free(order);
	if (!line)
		html_addf(b, "<text x=\"%d\" y=\"%d\">no links yet</text>", legend_x, pad + 24);
	buf_adds(b, "</svg></section>\n");
	for (size_t i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
	(*drawn)++;
	return 0;
}

/* The loss curve of the latest model trained on the whole selection, and
 * the link-prediction metrics of the latest model that has them. */
static int chart_loss(struct store *st, struct buf *b, int *drawn)
{
	int64_t model = store_int(st, "SELECT coalesce(max(model), 0) FROM embedding_epochs e JOIN "
				      "embedding_models m ON m.id = e.model WHERE m.parent IS NULL", -1);
	if (model < 0)
		return store_error(st, "reading embedding_epochs");
	section_open(b, "Embedding training", "Mean loss per epoch of the latest TransE model "
					      "trained from scratch, and link prediction on its "
					      "held-out triples.");
	sqlite3_stmt *q = store_prepare(st, "SELECT epoch, loss FROM embedding_epochs WHERE model = ? "
					    "ORDER BY epoch");
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, model);
	double *loss = NULL;
	size_t n = 0, cap = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		XGROW(loss, cap, n + 1);
		loss[n++] = sqlite3_column_double(q, 1);
	}
	sqlite3_finalize(q);
	if (!n) {
		free(loss);
		buf_adds(b, "<svg id=\"chart-loss\" class=\"empty\" width=\"600\" height=\"40\" "
			    "xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"25\">no loss curve "
			    "recorded (no model trained yet)</text></svg>\n");
	} else {
		double lo = loss[0], hi = loss[0];
		for (size_t i = 1; i < n; i++) {
			lo = loss[i] < lo ? loss[i] : lo;
			hi = loss[i] > hi ? loss[i] : hi;
		}
		double top_v = nice_ceil(hi);
		const int left = 70, plot_w = 640, plot_h = 220, top = 10;
		html_addf(b, "<svg id=\"chart-loss\" width=\"%d\" height=\"%d\" "
			    "xmlns=\"http://www.w3.org/2000/svg\">\n", left + plot_w + 20,
			 top + plot_h + 50);
		html_addf(b, "<polyline class=\"loss\" fill=\"none\" stroke=\"#e7298a\" "
			    "stroke-width=\"2\" data-model=\"%lld\" data-epochs=\"%zu\" "
			    "data-first=\"%.17g\" data-last=\"%.17g\" data-min=\"%.17g\" points=\"",
			 (long long)model, n, loss[0], loss[n - 1], lo);
		for (size_t i = 0; i < n; i++)
			html_addf(b, "%s%.1f,%.1f", i ? " " : "",
				 left + (n > 1 ? plot_w * (double)i / (double)(n - 1) : 0.0),
				 top + plot_h - plot_h * loss[i] / top_v);
		buf_adds(b, "\"/>\n");
		html_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>"
			    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>",
			 left, top + plot_h, left + plot_w, top + plot_h, left, top, left, top + plot_h);
		for (int k = 0; k <= 4; k++) {
			char v[32];
			fmt_num(v, sizeof v, top_v * k / 4);
			html_addf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s"
				    "</text>",
				 left - 6, top + plot_h - plot_h * k / 4.0 + 4, v);
			html_addf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">"
				    "%.0f</text>",
				 left + plot_w * k / 4.0, top + plot_h + 16, 1 + (n - 1) * k / 4.0);
		}
		html_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">epoch "
			    "(model %lld; loss from %.4g to %.4g)</text></svg>\n",
			 left + plot_w / 2, top + plot_h + 38, (long long)model, loss[0], loss[n - 1]);
		free(loss);
		(*drawn)++;
	}

	/* metrics */
	q = store_prepare(st, "SELECT id, "
			      "json_extract(metrics, '$.holdout.triples'), "
			      "json_extract(metrics, '$.holdout.filtered.mr'), "
			      "json_extract(metrics, '$.holdout.filtered.mrr'), "
			      "json_extract(metrics, '$.holdout.filtered.hits1'), "
			      "json_extract(metrics, '$.holdout.filtered.hits3'), "
			      "json_extract(metrics, '$.holdout.filtered.hits10'), "
			      "json_extract(metrics, '$.holdout.raw.mr'), "
			      "json_extract(metrics, '$.holdout.raw.mrr'), "
			      "json_extract(metrics, '$.holdout.raw.hits1'), "
			      "json_extract(metrics, '$.holdout.raw.hits3'), "
			      "json_extract(metrics, '$.holdout.raw.hits10') "
			      "FROM embedding_models WHERE metrics IS NOT NULL ORDER BY id DESC LIMIT 1");
	if (!q)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW) {
		static const char *const names[] = { "MR", "MRR", "Hits@1", "Hits@3", "Hits@10" };
		static const char *const keys[] = { "mr", "mrr", "hits1", "hits3", "hits10" };
		html_addf(b, "<table id=\"metrics\" data-model=\"%lld\" data-triples=\"%lld\"><caption>"
			    "Link prediction, model %lld, %lld held-out triples (heads and tails)"
			    "</caption><tr><th>ranking</th>",
			 (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1),
			 (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1));
		for (int k = 0; k < 5; k++)
			html_addf(b, "<th>%s</th>", names[k]);
		buf_adds(b, "</tr>");
		for (int f = 0; f < 2; f++) {
			html_addf(b, "<tr data-ranking=\"%s\"><td>%s</td>", f ? "raw" : "filtered",
				 f ? "raw" : "filtered");
			for (int k = 0; k < 5; k++) {
				double v = sqlite3_column_double(q, 2 + 5 * f + k);
				html_addf(b, "<td data-metric=\"%s\" data-value=\"%.17g\">%.*f</td>", keys[k], v,
					 k ? 4 : 1, v);
			}
			buf_adds(b, "</tr>");
		}
		buf_adds(b, "</table>\n");
	} else {
		buf_adds(b, "<p id=\"metrics\" class=\"note\">No held-out evaluation: train with "
			    "holdout above 0 to rank held-out triples.</p>\n");
	}
	sqlite3_finalize(q);
	buf_adds(b, "</section>\n");
	return 0;
}

/* Seconds per pipeline stage: the latest run of each, for build and ingest. */
static int chart_stages(struct store *st, struct buf *b, int *drawn)
{
	sqlite3_stmt *q = store_prepare(st,
		"SELECT command, stage, seconds, finished FROM stage_runs s WHERE id = "
		"(SELECT max(id) FROM stage_runs t WHERE t.command = s.command AND t.stage = s.stage) "
		"ORDER BY command, CASE stage WHEN 'load' THEN 1 WHEN 'extract' THEN 2 WHEN 'link' "
		"THEN 3 WHEN 'embed' THEN 4 WHEN 'export' THEN 5 ELSE 6 END");
	if (!q)
		return -1;
	struct row { char *command, *stage, *finished; double s; } *rows = NULL;
	size_t n = 0, cap = 0;
	double max = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		XGROW(rows, cap, n + 1);
		rows[n].command = xstrdup(col_text(q, 0));
		rows[n].stage = xstrdup(col_text(q, 1));
		rows[n].s = sqlite3_column_double(q, 2);
		rows[n].finished = xstrdup(col_text(q, 3));
		max = rows[n].s > max ? rows[n].s : max;
		n++;
	}
	sqlite3_finalize(q);
	section_open(b, "Pipeline timings", "Seconds each stage took the last time it ran, in "
					    "'medkg build' and in 'medkg ingest'.");
	if (!n) {
		free(rows);
		empty_chart(b, "chart-stages", "no pipeline stage has run on this store");
		return 0;
	}
	double top_v = nice_ceil(max > 0 ? max : 0.001);
	const int left = 140, width = 520, bar = 20, gap = 6, top = 10;
	html_addf(b, "<svg id=\"chart-stages\" width=\"%d\" height=\"%d\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n", left + width + 200,
		 top + (int)n * (bar + gap) + 30);
	for (size_t i = 0; i < n; i++) {
		int y = top + (int)i * (bar + gap);
		double w = width * rows[i].s / top_v;
		int ingest = !strcmp(rows[i].command, "ingest");
		html_addf(b, "<g class=\"stage\" data-command=\"%s\" data-stage=\"%s\" "
			    "data-value=\"%.6f\"><title>%s %s: %.3f s, finished %s</title>"
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s %s</text>"
			    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
			    "<text x=\"%.1f\" y=\"%d\" class=\"value\">%.3f s</text></g>\n",
			 rows[i].command, rows[i].stage, rows[i].s, rows[i].command, rows[i].stage,
			 rows[i].s, rows[i].finished, left - 6, y + bar - 5, rows[i].command,
			 rows[i].stage, left, y, w < 1 ? 1 : w, bar, ingest ? "#e6ab02" : "#66a61e",
			 left + (w < 1 ? 1 : w) + 4, y + bar - 5, rows[i].s);
		free(rows[i].command);
		free(rows[i].stage);
		free(rows[i].finished);
	}
	int axis_y = top + (int)n * (bar + gap);
	for (int k = 0; k <= 4; k++) {
		char v[32];
		fmt_num(v, sizeof v, top_v * k / 4);
		html_addf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%s s</text>",
			 left + width * k / 4, axis_y + 16, v);
	}
	buf_adds(b, "</svg></section>\n");
	free(rows);
	(*drawn)++;
	return 0;
}

/* ------------------------------------------------------------ the page */

static const char style[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px 32px;color:#222;"
	"max-width:1100px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 4px}"
	".note{color:#666;font-size:13px;margin:0 0 8px}"
	"svg{font-size:12px;display:block}svg text{fill:#222}svg .axis{fill:#666;font-size:11px}"
	"svg .value{fill:#444;font-size:11px}svg .legend{font-size:12px}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border:1px solid #ccc;padding:3px 10px;text-align:right}"
	"caption{text-align:left;color:#444;padding:4px 0}";

int report_render(struct store *st, struct buf *b, struct report_stats *s)
{
	memset(s, 0, sizeof(*s));
	struct buf release = BUF_INIT;
	store_meta_get(st, META_UMLS_RELEASE, &release);
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>medkg report: ");
	esc(b, st->path);
	/* the style sheet is the page's own text, and raw text in <style> */
	buf_adds(b, "</title><style>");
	buf_adds(b, style);
	buf_adds(b, "</style></head><body>\n<h1>medkg store ");
	esc(b, st->path);
	buf_adds(b, "</h1><p class=\"note\">What the store holds");
	if (release.len) {
		buf_adds(b, " (knowledge: UMLS release ");
		esc(b, release.p);
		buf_adds(b, ")");
	}
	buf_adds(b, ".</p>\n");
	buf_release(&release);
	int rc = -1;
	if (summary(st, b) < 0 || chart_concepts(st, b, &s->charts) < 0 ||
	    chart_polarity(st, b, &s->charts) < 0 || chart_entities(st, b, &s->charts) < 0 ||
	    chart_regions(st, b, &s->charts) < 0 || chart_loss(st, b, &s->charts) < 0 ||
	    chart_stages(st, b, &s->charts) < 0)
		goto out;
	buf_adds(b, "</body></html>\n");
	s->bytes = b->len;
	rc = 0;
out:
	return rc;
}

int report_write(struct store *st, const char *path, struct report_stats *s)
{
	struct buf page = BUF_INIT, tmp = BUF_INIT;
	int rc = -1;
	if (report_render(st, &page, s) < 0)
		goto out;
	buf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp.p, "wb");
	if (!f) {
		error("%s: cannot write: %s", tmp.p, strerror(errno));
		goto out;
	}
	int bad = fwrite(page.p, 1, page.len, f) != page.len;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp.p, path) != 0) {
		error("%s: cannot write: %s", path, strerror(errno));
		unlink(tmp.p);
		goto out;
	}
	rc = 0;
out:
	buf_release(&page);
	buf_release(&tmp);
	return rc;
}
