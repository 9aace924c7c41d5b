#include "cli.h"
#include "../common/util.h"

#include <stdarg.h>
#include <stdlib.h>

struct cli cli = { "medkg.db", 0 };

int cli_common_option(int c, const char *usage)
{
	switch (c) {
	case 'd':
		cli.db = optarg;
		cli.db_given = 1;
		return 1;
	case 'q':
		log_level = 0;
		return 1;
	case 'v':
		log_level = 2;
		return 1;
	case 'h':
		fputs(usage, stdout);
		exit(cli_finish(0));
	case '?':
		fputs(usage, stderr);
		exit(EXIT_USAGE);
	}
	return 0;
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("medkg: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

int cli_finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("cannot write to standard output");
		return 1;
	}
	return rc;
}
