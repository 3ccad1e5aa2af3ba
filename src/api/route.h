/*
 * route.h - matching a request path against a route pattern. Split out of
 * server.c so that a fuzz target (tests/fuzz/fuzz_route.c) can reach it;
 * server.c still owns the route tables and the choice of route.
 *
 * No allocation: the captures are copied into a buffer the caller owns.
 */
#ifndef UB_API_ROUTE_H
#define UB_API_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

/* Matches the URL-decoded path url against pattern, where each "{}" stands
 * for one non-empty path segment (no '/'). On a match, copies each captured
 * segment, NUL-terminated, into segs[cap] and points params[0..] at them
 * (at most API_MAX_PARAMS, api.h); false when the path does not match, has
 * more captures than that, or they do not fit in segs. params must have
 * room for API_MAX_PARAMS pointers. */
bool api_route_match(const char *pattern, const char *url, char *segs, size_t cap, const char **params);

#endif
