/*
 * embedded — files compiled into the medkg binary, so an installed medkg
 * works without its source tree: the store schema and the project's own
 * lexicons. Each is NUL terminated; the size excludes the NUL.
 *
 * To embed a file: add an EMBED line in embedded.c, a declaration here, and
 * the file to the EMBEDDED list in the Makefile (it is a dependency).
 */
#ifndef MEDKG_EMBEDDED_H
#define MEDKG_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;   /* path in the source tree, e.g. "umls_schema.sql" */
	const char *data;
	size_t size;
};

/* @return the embedded file with that source path, or NULL. */
const struct embedded_file *embedded_get(const char *name);

#endif
