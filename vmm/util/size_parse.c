/* SPDX-License-Identifier: MIT */
#include "util/size_parse.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The C library's isdigit()/isxdigit() depend on the locale; these never do. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the digits of base 10 or 16 at *text (at least one), advancing it past them. */
static int parse_digits(const char **text, unsigned base, uint64_t *value)
{
	const char *p = *text;
	uint64_t v = 0;
	bool overflow = false;
	int d;
	for (; (d = base == 16 ? hex_digit(*p) : is_digit(*p) ? *p - '0' : -1) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true; /* keep going: "99...9x" is -EINVAL, not -ERANGE */
		v = v * base + (uint64_t)d;
	}
	if (p == *text)
		return -EINVAL;
	*text = p;
	if (overflow)
		return -ERANGE;
	*value = v;
	return 0;
}

int parse_count(const char *text, uint64_t *value)
{
	if (!text)
		return -EINVAL;
	uint64_t v;
	int ret = parse_digits(&text, 10, &v);
	if (ret == -EINVAL || *text != '\0')
		return -EINVAL;
	if (ret)
		return ret;
	*value = v;
	return 0;
}

int parse_u64(const char *text, uint64_t *value)
{
	if (text && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		uint64_t v;
		int ret = parse_digits(&text, 16, &v);
		if (ret == -EINVAL || *text != '\0')
			return -EINVAL;
		if (ret)
			return ret;
		*value = v;
		return 0;
	}
	return parse_count(text, value);
}

int parse_size(const char *text, uint64_t *bytes)
{
	if (!text)
		return -EINVAL;
	uint64_t number;
	int ret = parse_digits(&text, 10, &number);
	if (ret == -EINVAL)
		return ret;
	unsigned shift = 0;
	switch (*text) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	default:
		break;
	}
	if (shift)
		text++;
	if (shift && strcasecmp(text, "iB") == 0)
		text += 2;
	else if (strcasecmp(text, "B") == 0)
		text += 1;
	if (*text != '\0')
		return -EINVAL;
	if (ret)
		return ret;
	if (number > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = number << shift;
	return 0;
}

int parse_decimal(const char *text, double *value)
{
	if (!text)
		return -EINVAL;
	size_t whole = strspn(text, "0123456789");
	size_t fraction = 0;
	if (text[whole] == '.') {
		fraction = strspn(text + whole + 1, "0123456789");
		if (fraction == 0)
			return -EINVAL; /* "5." or "." */
		fraction++;
	}
	if (whole + fraction == 0 || text[whole + fraction] != '\0')
		return -EINVAL;
	/* The form is checked: strtod only converts it (its hex, exponents, blanks, signs and
	 * inf/nan can no longer get through). Too many digits overflow to infinity. */
	double v = strtod(text, NULL);
	if (!isfinite(v))
		return -ERANGE;
	*value = v;
	return 0;
}

int parse_seconds(const char *text, double *seconds)
{
	double v;
	int ret = parse_decimal(text, &v);
	if (ret)
		return ret;
	if (!(v > 0 && v <= PARSE_SECONDS_MAX))
		return -ERANGE;
	*seconds = v;
	return 0;
}
