#include "util/size_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

int parse_u64(const char *text, uint64_t *value)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL; /* strtoull would accept "-1" and " 1" */
	/* Decimal or 0x-hex, never octal: base 0 would read "010" as 8 (found by fuzz_cli). The
	 * digit check after "0x" keeps strtoull from accepting a sign or blank there. */
	int base = 10;
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		if (!isxdigit((unsigned char)text[2]))
			return -EINVAL;
		base = 16;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	*value = v;
	return 0;
}

int parse_size(const char *text, uint64_t *bytes)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long number = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		break;
	}
	if (shift && strcasecmp(end, "iB") == 0)
		end += 2;
	else if (strcasecmp(end, "B") == 0)
		end += 1;
	if (*end != '\0')
		return -EINVAL;
	if (shift && number > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)number << shift;
	return 0;
}

int parse_seconds(const char *text, double *seconds)
{
	if (!text || !(isdigit((unsigned char)text[0]) || text[0] == '.'))
		return -EINVAL;
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno == ERANGE || *end != '\0' || !isfinite(v))
		return -EINVAL;
	if (v <= 0 || v > 365.0 * 24 * 3600)
		return -ERANGE;
	*seconds = v;
	return 0;
}
