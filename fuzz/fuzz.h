/*
 * fuzz — the fuzz targets: one per parser (fuzz/fuzz_NAME.c), each a
 * function fuzz_NAME(data, size) that hands one input to the library the
 * way a command would (through a file in a scratch directory where the
 * library reads files, into a fresh in-memory store where it writes one),
 * and ignores the error the library reports for a bad input. A target fails
 * only by crashing, leaking, hanging or tripping a sanitizer.
 *
 * Each file is built two ways:
 *   - by 'make fuzz' with clang, libFuzzer, AddressSanitizer and
 *     UndefinedBehaviorSanitizer (FUZZ_LIBFUZZER defined): a program
 *     build-fuzz/fuzz/bin/NAME whose LLVMFuzzerTestOneInput is the function;
 *   - into the unit tests (tests/test_fuzz.c), which replay every seed
 *     input (fuzz/corpus/NAME/) and every input that once crashed a target
 *     (tests/fixtures/fuzz-regressions/NAME/) through the same functions,
 *     so that 'make test' and 'make check' keep them fixed without clang.
 *
 * Does not: judge the library's answers (the unit tests do), or reach the
 * network.
 */
#ifndef MEDKG_FUZZ_H
#define MEDKG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct store;

#ifdef FUZZ_LIBFUZZER
#define FUZZ_MAIN(name)                                                     \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);       \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)        \
	{                                                                   \
		return fuzz_##name(data, size);                             \
	}
#else
#define FUZZ_MAIN(name)
#endif

/* FUZZ_TARGET(xml) { ... } defines fuzz_xml(data, size), returning 0. */
#define FUZZ_TARGET(name)                                        \
	int fuzz_##name(const uint8_t *data, size_t size);       \
	FUZZ_MAIN(name)                                          \
	int fuzz_##name(const uint8_t *data, size_t size)

/* Every target, X(name): the unit tests replay each one's inputs. */
#define FUZZ_TARGETS(X)                                                          \
	X(xml) X(csv) X(json) X(jsonl) X(text) X(rrf) X(mesh) X(obo) X(config)    \
	X(lexicon) X(openke) X(npy) X(image) X(boxes) X(dict) X(pool)

#define FUZZ_DECLARE(name) int fuzz_##name(const uint8_t *data, size_t size);
FUZZ_TARGETS(FUZZ_DECLARE)
#undef FUZZ_DECLARE

/* Write data[0..n) as name in the scratch directory (a fresh directory,
 * removed at exit; name may hold one level of subdirectory, created).
 * @return its path, valid until the next call with another name. */
const char *fuzz_write(const char *name, const void *data, size_t n);
/* An input whose first byte chooses options: *opt gets it (0 for an
 * empty input), and the rest is written as name. @return its path, as
 * fuzz_write. */
const char *fuzz_options(const uint8_t *data, size_t size, const char *name, uint8_t *opt);
/* The path of name in the scratch directory (as fuzz_write). */
const char *fuzz_path(const char *name);

/* A fresh in-memory store, a copy of the one setup made the first time
 * (setup may be NULL: the empty schema). Each target passes the same setup
 * every time. @return 0, or -1 (reported). Close it with store_close. */
int fuzz_store(struct store *st, int (*setup)(struct store *st));

/* A report file of format (enum report_format) read whole, each report's
 * sections split into sentences; the first byte chooses the reader's
 * options (lenient, a small max_bytes, named columns, a shard's window).
 * @return 0. */
int fuzz_report(const uint8_t *data, size_t size, int format, const char *name);

/* A small knowledge base in RRF rows (four concepts, their terms, types
 * and relations), as fuzz_rrf's fixed files and the dictionary's source. */
extern const char fuzz_conso[], fuzz_sty[], fuzz_rel[], fuzz_sab[];
/* Write the release into the scratch directory's subdirectory dir (files
 * given NULL are left out). @return the directory's path. */
const char *fuzz_release(const char *dir, const char *conso, size_t conso_len, const char *sty,
			 size_t sty_len, const char *rel, size_t rel_len, const char *sab,
			 size_t sab_len);

#endif
