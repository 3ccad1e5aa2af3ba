/* embedded_find.c - lookup in the table scripts/embed.py generates. */
#include "io/embedded.h"

#include <string.h>

const embedded_file_t *embedded_find(const char *name)
{
	for (const embedded_file_t *f = EMBEDDED_FILES; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
