/* A .npy array (embed/npy.h), read. */
#include "fuzz.h"
#include "../embed/npy.h"

#include <stdlib.h>

FUZZ_TARGET(npy)
{
	const char *path = fuzz_write("a.npy", data, size);
	float *d = NULL;
	size_t rows, cols;
	if (npy_read(path, &d, &rows, &cols) == 0)
		free(d);
	return 0;
}
