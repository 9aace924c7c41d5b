/* An OpenKE benchmark directory (embed/openke.h): the input is its files,
 * entity2id.txt, relation2id.txt, train2id.txt, valid2id.txt and
 * test2id.txt in that order, separated by NUL bytes (a missing part leaves
 * its file out). */
#include "fuzz.h"
#include "../embed/openke.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

FUZZ_TARGET(openke)
{
	static const char *const names[] = { "ke/entity2id.txt", "ke/relation2id.txt",
					     "ke/train2id.txt", "ke/valid2id.txt",
					     "ke/test2id.txt" };
	const char *p = (const char *)data, *end = p + size;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *nul = p ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		const char *stop = nul ? nul : end;
		if (p)
			fuzz_write(names[i], p, (size_t)(stop - p));
		else
			unlink(fuzz_path(names[i]));
		p = nul ? nul + 1 : NULL;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", fuzz_path("ke"));
	struct kg kg;
	if (openke_read(&kg, dir) == 0)
		kg_release(&kg);
	return 0;
}
