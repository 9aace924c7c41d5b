/*
 * negation_eval — score medkg's context rules on the NegEx test set
 * (negex_rsAnnotations.tsv: the condition is given, the question is whether
 * it is negated in the sentence). The rows are split in two halves, odd and
 * even; the lexicon is tuned on the odd half only, and both are reported.
 *
 *   build/bench/negation_eval [--lexicon FILE] [--errors] TSV
 *
 * --errors prints the misclassified rows of the tuning (odd) half, never
 * those of the held-out half.
 */
#include "../extract/context.h"
#include "../common/util.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *lexicon = NULL, *path = NULL;
	int errors = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lexicon") && i + 1 < argc)
			lexicon = argv[++i];
		else if (!strcmp(argv[i], "--errors"))
			errors = 1;
		else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: negation_eval [--lexicon FILE] [--errors] TSV\n");
		return 2;
	}
	struct lexicon lx;
	if (lexicon_load(&lx, lexicon) < 0)
		return 1;
	struct negation_score h[2];
	if (negation_evaluate(&lx, path, h, errors ? stdout : NULL, 0) < 0)
		return 1;
	static const char *const names[2] = { "tuning (odd rows)", "held out (even rows)" };
	printf("%-22s %5s %5s %5s %5s %9s %9s %9s %9s %9s\n", "half", "TP", "FP", "FN", "TN",
	       "precision", "recall", "F1", "accuracy", "not found");
	for (int i = 0; i < 2; i++)
		printf("%-22s %5lld %5lld %5lld %5lld %9.3f %9.3f %9.3f %9.3f %9lld\n", names[i],
		       (long long)h[i].tp, (long long)h[i].fp, (long long)h[i].fn, (long long)h[i].tn,
		       h[i].precision, h[i].recall, h[i].f1, h[i].accuracy, (long long)h[i].not_found);
	lexicon_release(&lx);
	return 0;
}
