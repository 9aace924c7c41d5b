/* What the fuzz targets share (fuzz.h): a scratch directory, and fresh
 * in-memory stores copied from a template. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "fuzz.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../extract/readers.h"
#include "../extract/sentences.h"
#include "../store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *scratch;
static char **made;       /* files and directories created, removed at exit */
static size_t n_made, cap_made;
static struct buf path_buf;

static void remove_scratch(void)
{
	for (size_t i = n_made; i-- > 0;) {
		if (remove(made[i]) != 0)
			rmdir(made[i]);
		free(made[i]);
	}
	free(made);
	if (scratch)
		rmdir(scratch);
	free(scratch);
	buf_release(&path_buf);
}

static void remember(const char *p)
{
	for (size_t i = 0; i < n_made; i++)
		if (!strcmp(made[i], p))
			return;
	XGROW(made, cap_made, n_made + 1);
	made[n_made++] = xstrdup(p);
}

const char *fuzz_path(const char *name)
{
	if (!scratch) {
#ifdef FUZZ_LIBFUZZER
		/* silent: every bad input is reported, and most inputs are bad */
		log_level = -1;
#endif
		/* memory, where there is a tmpfs: a file rewritten on a disk file
		 * system costs milliseconds (ext4 flushes a file truncated and
		 * written again at its close), two hundred times the parse */
		const char *tmp = getenv("TMPDIR");
		if (!tmp || !*tmp)
			tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		struct buf t = BUF_INIT;
		buf_addf(&t, "%s/medkg-fuzz-XXXXXX", tmp);
		if (!mkdtemp(t.p)) {
			perror(t.p);
			abort();
		}
		scratch = buf_detach(&t);
		atexit(remove_scratch);
	}
	buf_reset(&path_buf);
	buf_addf(&path_buf, "%s/%s", scratch, name);
	const char *slash = strchr(name, '/');
	if (slash) {
		struct buf d = BUF_INIT;
		buf_addf(&d, "%s/%.*s", scratch, (int)(slash - name), name);
		if (mkdir(d.p, 0700) == 0)
			remember(d.p);
		buf_release(&d);
	}
	return path_buf.p;
}

const char *fuzz_write(const char *name, const void *data, size_t n)
{
	const char *p = fuzz_path(name);
	FILE *f = fopen(p, "wb");
	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
		perror(p);
		abort();
	}
	remember(p);
	return p;
}

const char *fuzz_options(const uint8_t *data, size_t size, const char *name, uint8_t *opt)
{
	*opt = size ? data[0] : 0;
	return fuzz_write(name, data + (size > 0), size - (size > 0));
}

/* ------------------------------------------------------------ stores */

struct template {
	int (*setup)(struct store *st);
	unsigned char *image;
	sqlite3_int64 size;
};

static struct template templates[8];

static void free_templates(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(templates); i++)
		sqlite3_free(templates[i].image);
}

int fuzz_store(struct store *st, int (*setup)(struct store *st))
{
	struct template *t = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(templates) && !t; i++)
		if (templates[i].image && templates[i].setup == setup)
			t = &templates[i];
	if (!t) {
		/* made once: the schema, then what the target needs */
		fuzz_path("");
		struct store s;
		if (store_open(&s, ":memory:", STORE_CREATE) < 0 || (setup && setup(&s) < 0)) {
			fprintf(stderr, "fuzz: cannot set up a store: %s\n", last_error());
			abort();
		}
		for (size_t i = 0; i < ARRAY_SIZE(templates) && !t; i++)
			if (!templates[i].image)
				t = &templates[i];
		if (!t)
			abort();
		if (t == &templates[0])
			atexit(free_templates);
		t->setup = setup;
		t->image = sqlite3_serialize(s.db, "main", &t->size, 0);
		store_close(&s);
		if (!t->image)
			abort();
	}
	memset(st, 0, sizeof(*st));
	st->path = xstrdup("fuzz.db");
	unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)t->size);
	if (!copy || sqlite3_open(":memory:", &st->db) != SQLITE_OK)
		abort();
	memcpy(copy, t->image, (size_t)t->size);
	if (sqlite3_deserialize(st->db, "main", copy, t->size, t->size,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
	    SQLITE_OK)
		abort();
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return 0;
}

/* ------------------------------------------------------------ knowledge */

const char fuzz_conso[] =
	"C0032326|ENG|P|L0032326|PF|S0000001|Y|A0000001||||SRCA|PT|D1|Pneumothorax|0|N|256|\n"
	"C0032326|ENG|S|L0000002|PF|S0000002|Y|A0000002||||SRCB|AB|X1|PTX|0|N|256|\n"
	"C0032227|ENG|P|L0032227|PF|S0000004|Y|A0000004||||SRCA|PT|D2|Pleural effusion|0|N|256|\n"
	"C0024109|ENG|P|L0024109|PF|S0000006|Y|A0000006||||SRCA|PT|D3|Lung|0|N|256|\n"
	"C0018800|ENG|P|L0018800|PF|S0000007|Y|A0000007||||SRCB|PT|X2|Cardiomegaly|0|N|256|\n";
const char fuzz_sty[] =
	"C0032326|T047|B2.2.1.2.1|Disease or Syndrome|AT0000001|256|\n"
	"C0032227|T047|B2.2.1.2.1|Disease or Syndrome|AT0000002|256|\n"
	"C0024109|T023|A1.2.3.1|Body Part, Organ, or Organ Component|AT0000004|256|\n"
	"C0018800|T047|B2.2.1.2.1|Disease or Syndrome|AT0000005|256|\n";
const char fuzz_rel[] =
	"C0032326|A0000001|AUI|RO|C0024109|A0000006|AUI|finding_site_of|R01||SRCA|SRCA|||N||\n"
	"C0024109|A0000006|AUI|RO|C0032326|A0000001|AUI|has_finding_site|R03||SRCA|SRCA|||N||\n"
	"C0032227|A0000004|AUI|PAR|C0032326|A0000001|AUI|inverse_isa|R04||SRCB|SRCB|||N||\n";
const char fuzz_sab[] =
	"C1000001|C1000000|SRCA2026|SRCA|Source A|SRCA|2026|||||||0||||||ENG|UTF-8|Y|Y|SRCA|c|\n";

const char *fuzz_release(const char *dir, const char *conso, size_t conso_len, const char *sty,
			 size_t sty_len, const char *rel, size_t rel_len, const char *sab,
			 size_t sab_len)
{
	static const char *const names[] = { "MRCONSO.RRF", "MRSTY.RRF", "MRREL.RRF", "MRSAB.RRF" };
	const char *text[] = { conso, sty, rel, sab };
	size_t len[] = { conso_len, sty_len, rel_len, sab_len };
	struct buf p = BUF_INIT;
	for (int i = 0; i < 4; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s", dir, names[i]);
		if (text[i])
			fuzz_write(p.p, text[i], len[i]);
		else
			unlink(fuzz_path(p.p));
	}
	buf_release(&p);
	return fuzz_path(dir);
}

/* ------------------------------------------------------------ reports */

int fuzz_report(const uint8_t *data, size_t size, int format, const char *name)
{
	uint8_t opt;
	const char *path = fuzz_options(data, size, name, &opt);
	struct reader_options o = { .format = (enum report_format)format, .lenient = opt & 1,
				    .max_bytes = opt & 2 ? 256 : 0 };
	char *cols[] = { "findings", "impression", NULL };
	if (opt & 4)
		o.text_cols = cols;
	if (opt & 8)
		o.id_col = "uid";
	if (opt & 16) {
		/* a shard's window (--shard): from one of 8 points, half the file */
		o.windowed = 1;
		o.lo = (int64_t)(((opt >> 5) & 7) * size / 8);
		o.hi = o.lo + (int64_t)(size / 2) + 1;
	}
	struct reader *rd = reader_open(path, &o);
	if (!rd)
		return 0;
	struct report r;
	memset(&r, 0, sizeof r);
	struct span *sent = NULL;
	size_t n_sent = 0, cap_sent = 0;
	/* each report as extraction takes it: its sections, then sentences */
	for (int n = 0; n < 100000 && reader_next(rd, &r) > 0; n++)
		for (size_t i = 0; i < r.n_sec; i++) {
			n_sent = 0;
			sentences_split(r.text.p, r.sec[i].start, r.sec[i].end, &sent, &n_sent,
					&cap_sent);
		}
	free(sent);
	report_release(&r);
	reader_free(rd);
	return 0;
}
