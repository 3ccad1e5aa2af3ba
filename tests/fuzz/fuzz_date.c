/*
 * fuzz_date.c - dates as users send them (core/date.h): date_parse takes
 * exactly YYYY-MM-DD, a real day of 1900..9999.
 *
 * Properties: a parsed date lies in [DATE_FIRST, DATE_OPEN] and formats back
 * to the very text parsed; any day number in that range formats to text that
 * parses back to it (the first 4 bytes of the input as a day number).
 */
#include <stdbool.h>

#include "core/date.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char buf[DATE_STR_LEN];
	date_t d = 0;

	if (!s)
		return 0;
	if (date_parse(s, &d) == 0) {
		FUZZ_CHECK(d >= DATE_FIRST && d <= DATE_OPEN);
		FUZZ_CHECK(strcmp(date_format(d, buf), s) == 0);
		FUZZ_CHECK(date_in(d, d, d + 1) && !date_in(d, d + 1, DATE_OPEN));
	}
	free(s);
	if (size >= 4) {
		uint32_t u = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		date_t n = (date_t)(DATE_FIRST + (int64_t)(u % (uint32_t)(DATE_OPEN - DATE_FIRST + 1)));
		date_t back = 0;
		FUZZ_CHECK(date_parse(date_format(n, buf), &back) == 0 && back == n);
		/* any day number formats to something of the right shape */
		(void)date_format((date_t)u, buf);
		FUZZ_CHECK(strlen(buf) == DATE_STR_LEN - 1);
	}
	return 0;
}
