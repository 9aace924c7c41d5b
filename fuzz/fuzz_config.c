/* A pipeline configuration (pipeline/config.h): read and checked whole. */
#include "fuzz.h"
#include "../pipeline/config.h"

FUZZ_TARGET(config)
{
	const char *path = fuzz_write("medkg.conf", data, size);
	struct pipeline_config c;
	if (config_read(&c, path) == 0)
		config_release(&c);
	return 0;
}
