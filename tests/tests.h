/* Every unit-test suite, run in this order by testmain.c. The case ids of a
 * suite start with its prefix: util-, norm- (normalize), zio-, store-,
 * umls-, mesh-, obo-, embed-, estore- (embed_store), etrain- (embed_train),
 * ctx- (context), extract-, assert- (radiology assertions), cx- (chexpert),
 * rec- (recognize: abbreviations, term rules, variants, documents),
 * link-, lstore- (link_store), train-, export-,
 * pipeline-, params-, fuzz-. */
#ifndef MEDKG_TESTS_H
#define MEDKG_TESTS_H

#define TEST_SUITES(X) \
	X(util)        \
	X(params)      \
	X(normalize)   \
	X(zio)         \
	X(store)       \
	X(umls)        \
	X(mesh)        \
	X(obo)         \
	X(embed)       \
	X(embed_store) \
	X(embed_train) \
	X(context)     \
	X(extract)     \
	X(assert)      \
	X(recognize)   \
	X(link)        \
	X(link_store)  \
	X(train)       \
	X(chexpert)    \
	X(export) \
	X(pipeline)    \
	X(fuzz)

#define DECLARE(name) void test_##name(void);
TEST_SUITES(DECLARE)
#undef DECLARE

#endif
