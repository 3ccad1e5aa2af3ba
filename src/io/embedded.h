/*
 * embedded.h - files built into the binary: the reference data (data/ CSVs),
 * the demo data, the web app and its vendored modules, and the OpenAPI
 * document. One self-contained program to install; scripts/embed.py writes
 * the table at build time.
 */
#ifndef UB_EMBEDDED_H
#define UB_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
	const char *name;            /* "data/provinces-63.csv", "web/app.js", ... */
	const unsigned char *data;   /* NUL-terminated */
	size_t len;                  /* without the terminating NUL */
} embedded_file_t;

extern const embedded_file_t EMBEDDED_FILES[];

/* The embedded file called name, or NULL. Static storage: never freed. */
const embedded_file_t *embedded_find(const char *name);

#endif
