/*
 * variants — lexical variants of a knowledge-base term, generated once when
 * the extraction dictionary is built (dict_store.h), so that matching text
 * stays one dictionary lookup. MetaMap's variant generation and the
 * SPECIALIST lexical tools are the model; each class is a small set of
 * written rules:
 *
 *   spelling     British and American spellings, word by word, both ways:
 *                tumor/tumour, edema/oedema, hemorrhage/haemorrhage,
 *                anemia/anaemia, esophagus/oesophagus, diarrhea/diarrhoea,
 *                localized/localised, center/centre, sulfate/sulphate
 *   inversion    the uninverted form of a term written with commas, as
 *                MeSH and UMLS write them: "Hernia, Hiatal" -> "hiatal
 *                hernia", "Leukemia, Myeloid, Acute" -> "acute myeloid
 *                leukemia"
 *   of           "X of [the] Y" -> "Y X" for short X and Y: "cancer of the
 *                prostate" -> "prostate cancer"
 *   qualifier    the term without a trailing ", NOS" (NEC, unspecified, not
 *                otherwise specified) or a parenthesized part: "Pneumonia
 *                (disorder)" -> "pneumonia"; "glucose-6-phosphate
 *                dehydrogenase (G6PD) deficiency" -> "glucose 6 phosphate
 *                dehydrogenase deficiency"
 *   hyphenation  a prefix joined to or split from its word: "non-Hodgkin"
 *                and "non Hodgkin" -> "nonhodgkin"; "nonhodgkin" ->
 *                "non hodgkin" (splits only into a word the dictionary
 *                holds; dict_store applies that check)
 *   subtype      the name without its numbered or lettered type: "myotonic
 *                dystrophy type 1" -> "myotonic dystrophy", "type II
 *                diabetes" -> "diabetes"; the variant records the type's
 *                number (order), so that where several types share the
 *                name the first type ranks first
 *
 *   synonym      the head words "disease" and "disorder" for each other, as
 *                the SPECIALIST lexicon lists them: "autosomal recessive
 *                disease" -> "autosomal recessive disorder"
 *
 * Three more classes are made by dict_store, not here, because they need the
 * term rules or match in the knowledge base's case: abbreviation, the short
 * form that a term defines inside it ("Von Hippel-Lindau syndrome (VHL)"
 * gives "VHL", by abbrev.h); modifier, the term without its leading
 * modifiers (the term rules' modifier class: "malignant tumor" -> "tumor",
 * "familial adenomatous polyposis" -> "adenomatous polyposis"), since the
 * span of a mention leaves modifiers out; and eponym, an eponymous name of
 * two words or more without its generic head word ("Lesch-Nyhan syndrome"
 * -> "Lesch-Nyhan", "von Willebrand disease" -> "von Willebrand"), matching
 * only with the names capitalized as written.
 *
 * Possessives need no variant: the normalizer (common/normalize.h) already
 * reads "Crohn's", "Crohns" and "Crohn" alike, and "Graves'" as "Graves".
 * Hyphen and space are one to it as well ("beta-catenin", "beta catenin").
 * Variants are normalized strings (tokens joined by single spaces); every
 * class applies to the term and to its structural variants (so "Tumor,
 * Benign" gives "benign tumor" and "benign tumour").
 *
 * Does not: build the dictionary, or apply case rules (dict_store.h).
 */
#ifndef MEDKG_VARIANTS_H
#define MEDKG_VARIANTS_H

#include <stddef.h>
#include "../common/buf.h"

/* Variant classes, as bits: a variant may combine a structural class with
 * spelling. */
enum variant_class {
	VAR_SPELLING = 1,
	VAR_INVERSION = 2,
	VAR_OF = 4,
	VAR_QUALIFIER = 8,
	VAR_HYPHENATION = 16,
	VAR_SUBTYPE = 32,
	VAR_ABBREVIATION = 64,   /* made by dict_store */
	VAR_MODIFIER = 128,      /* made by dict_store */
	VAR_SYNONYM = 256,
	VAR_EPONYM = 512,        /* made by dict_store */
};
#define VAR_N_CLASSES 10

/* The name of variant class bit i (0..VAR_N_CLASSES-1): "spelling",
 * "inversion", "of", "qualifier", "hyphenation", "subtype", "abbreviation",
 * "modifier", "synonym", "eponym". */
const char *variant_class_name(int i);

/* Names of the classes of a variant mask, joined by '+' ("inversion+spelling"),
 * appended to out; "term" for 0. */
void variant_describe(unsigned mask, struct buf *out);

struct variant_list {
	struct buf text;         /* the variants, each NUL terminated */
	struct variant {
		size_t off, len;     /* in text */
		unsigned mask;       /* enum variant_class bits */
		size_t rest, rest_len; /* a split hyphenation: the word split from
					* its prefix, in text; else 0, 0 */
		unsigned order;      /* subtype: the type's number (1 for "type 1",
				      * "type I", "type A"); else 0 */
	} *v;
	size_t n, cap;
};

/* The variants of one term: str[0..n) as the knowledge base writes it, norm
 * its normalized form. Fills out (reset first) with distinct normalized
 * variants other than norm itself, at most VARIANTS_MAX. Split
 * hyphenations are proposed for every word that starts with a known prefix;
 * the caller keeps those whose split-off word (rest) it knows. */
#define VARIANTS_MAX 12
void variants_generate(const char *str, size_t n, const char *norm, size_t nn,
		       struct variant_list *out);
void variant_list_release(struct variant_list *l);

#endif
