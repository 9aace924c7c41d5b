#include "cli.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdarg.h>
#include <stdlib.h>

struct cli cli = { "medkg.db", 0, 0 };

int cli_common_option(int c, const char *usage)
{
	switch (c) {
	case 'd':
		cli.db = optarg;
		cli.db_given = cli.db_option = 1;
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

char *cli_usage_text(const char *synopsis, const struct param_group *g, size_t ng,
		     const char *footer)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, synopsis);
	params_usage(&b, g, ng);
	if (footer)
		buf_adds(&b, footer);
	return buf_detach(&b);
}

int cli_parse(int argc, char **argv, const char *shortopts, const char *usage,
	      struct param_group *g, size_t ng)
{
	static const struct option common[] = { CLI_COMMON_LONG, { 0, 0, 0, 0 } };
	struct option *longopts = params_longopts(g, ng, common);
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (cli_common_option(c, usage))
			continue;
		struct buf why = BUF_INIT;
		int r = params_option(g, ng, c, optarg, &why);
		if (r <= 0)
			rc = cli_usage_error(usage, "%s", r < 0 ? buf_str(&why) : "unexpected option");
		buf_release(&why);
	}
	free(longopts);
	return rc;
}
