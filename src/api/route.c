/* route.c - see route.h. */
#include "api/route.h"

#include <string.h>

#include "api/api.h"

bool api_route_match(const char *pattern, const char *url, char *segs, size_t cap, const char **params)
{
	const char *p = pattern, *u = url;
	size_t used = 0;
	int np = 0;

	while (*p && *u) {
		if (p[0] == '{' && p[1] == '}') {
			size_t len = strcspn(u, "/");
			if (len == 0 || np == API_MAX_PARAMS || used + len + 1 > cap)
				return false;
			memcpy(segs + used, u, len);
			segs[used + len] = '\0';
			params[np++] = segs + used;
			used += len + 1;
			u += len;
			p += 2;
		} else if (*p == *u) {
			p++;
			u++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *u == '\0';
}
