/* A context lexicon (extract/context.h): loaded, then asked the context of
 * phrases in a few sentences. */
#include "fuzz.h"
#include "../extract/context.h"

#include <string.h>

FUZZ_TARGET(lexicon)
{
	const char *path = fuzz_write("context_lexicon.tsv", data, size);
	struct lexicon lx;
	if (lexicon_load(&lx, path) < 0)
		return 0;
	static const char *const text[][2] = {
		{ "No pleural effusion or pneumothorax.", "pneumothorax" },
		{ "History of pneumonia, possibly atelectasis; no edema.", "atelectasis" },
		{ "Cannot exclude a small effusion. Heart size is normal.", "effusion" },
	};
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
		int polarity, historical;
		context_of_phrase(&lx, text[i][0], strlen(text[i][0]), text[i][1],
				  strlen(text[i][1]), &polarity, &historical);
	}
	lexicon_release(&lx);
	return 0;
}
