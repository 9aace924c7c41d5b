#define _POSIX_C_SOURCE 200809L
#include "manifest.h"
#include "../common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

int file_hash(const char *path, char hex[33], uint64_t *bytes)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	XXH3_state_t *h = XXH3_createState();
	XXH3_128bits_reset(h);
	char *buf = xmalloc(1 << 20);
	uint64_t total = 0;
	size_t n;
	while ((n = fread(buf, 1, 1 << 20, f)) > 0) {
		XXH3_128bits_update(h, buf, n);
		total += n;
	}
	int bad = ferror(f);
	fclose(f);
	free(buf);
	XXH128_hash_t d = XXH3_128bits_digest(h);
	XXH3_freeState(h);
	if (bad)
		return error("%s: read failed", path);
	snprintf(hex, 33, "%016llx%016llx", (unsigned long long)d.high64,
		 (unsigned long long)d.low64);
	*bytes = total;
	return 0;
}

void manifest_release(struct manifest *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m->files);
	memset(m, 0, sizeof(*m));
}

static int is_hex32(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 32;
}

/* A relative path that stays inside the export: no leading '/', no "..". */
static int safe_relative(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n + (e != NULL);
	}
	return 1;
}

int manifest_read(const char *dir, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST_NAME);
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return error("%s: cannot open: %s", path, strerror(errno));
	}
	json_error_t je;
	m->root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!m->root)
		return error("%s:%d: corrupted manifest: %s", path, je.line, je.text);
	const char *what = NULL;
	json_t *format = json_object_get(m->root, "format");
	json_t *version = json_object_get(m->root, "version");
	json_t *store = json_object_get(m->root, "store");
	json_t *files = json_object_get(m->root, "files");
	m->parameters = json_object_get(m->root, "parameters");
	if (!json_is_object(m->root))
		what = "not a JSON object";
	else if (!json_is_string(format) || strcmp(json_string_value(format), MANIFEST_FORMAT))
		what = "\"format\" is not \"" MANIFEST_FORMAT "\"";
	else if (!json_is_integer(version))
		what = "\"version\" is missing";
	else if (json_integer_value(version) != MANIFEST_VERSION)
		what = "written by another medkg (manifest version differs)";
	else if (!json_is_object(store) || !json_is_string(json_object_get(store, "path")) ||
		 !json_is_string(json_object_get(store, "state")))
		what = "\"store\" needs \"path\" and \"state\" strings";
	else if (!json_is_object(m->parameters))
		what = "\"parameters\" is missing";
	else if (!json_is_object(files) || json_object_size(files) == 0)
		what = "\"files\" is missing or empty";
	if (what) {
		error("%s: corrupted manifest: %s", path, what);
		manifest_release(m);
		return -1;
	}
	m->store_path = json_string_value(json_object_get(store, "path"));
	m->store_state = json_string_value(json_object_get(store, "state"));
	m->files = xcalloc(json_object_size(files), sizeof(*m->files));
	const char *key;
	json_t *v;
	json_object_foreach(files, key, v)
	{
		json_t *bytes = json_object_get(v, "bytes");
		json_t *hash = json_object_get(v, "xxh3_128");
		if (!safe_relative(key) || !json_is_integer(bytes) || json_integer_value(bytes) < 0 ||
		    !json_is_string(hash) || !is_hex32(json_string_value(hash))) {
			error("%s: corrupted manifest: bad entry for file \"%s\"", path, key);
			manifest_release(m);
			return -1;
		}
		m->files[m->n_files++] = (struct manifest_file){ key,
								 (uint64_t)json_integer_value(bytes),
								 json_string_value(hash) };
	}
	return 1;
}

const struct manifest_file *manifest_find(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->n_files; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}

int manifest_verify(const char *dir, const struct manifest *m)
{
	for (size_t i = 0; i < m->n_files; i++) {
		char path[4200], hex[33];
		uint64_t bytes;
		snprintf(path, sizeof path, "%s/%s", dir, m->files[i].path);
		struct stat sb;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			return error("%s: the export is incomplete: %s is listed in its manifest but "
				     "missing",
				     dir, m->files[i].path);
		if (file_hash(path, hex, &bytes) < 0)
			return -1;
		if (bytes != m->files[i].bytes || strcmp(hex, m->files[i].hash))
			return error("%s: %s changed since the export (%llu bytes, hash %s; the "
				     "manifest says %llu bytes, hash %s)",
				     dir, m->files[i].path, (unsigned long long)bytes, hex,
				     (unsigned long long)m->files[i].bytes, m->files[i].hash);
	}
	return 0;
}
