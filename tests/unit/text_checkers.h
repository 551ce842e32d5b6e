/* SPDX-License-Identifier: MIT */
/*
 * Small, strict checkers for the test's own use: is a text one JSON value (RFC 8259 grammar),
 * is it well-formed XML (balanced tags, quoted attributes, escaped & and <). They keep the trace
 * writer tests independent of python3 and xmllint. Static inline: a test program that uses one
 * checker only (test_trace_writers.c, test_trace_writers_svg.c) does not warn about the other.
 */
#ifndef MINIVMM_TEST_TEXT_CHECKERS_H
#define MINIVMM_TEST_TEXT_CHECKERS_H

#include <stdbool.h>
#include <string.h>

/* ---- a minimal JSON parser (RFC 8259 grammar, no values kept): true if text is one value ---- */

static inline bool json_value(const char **p, int depth);

static inline void json_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t')
		(*p)++;
}

static inline bool json_string(const char **p)
{
	if (*(*p)++ != '"')
		return false;
	for (;;) {
		unsigned char c = (unsigned char)*(*p)++;
		if (c == '"')
			return true;
		if (c < 0x20) /* includes the terminating NUL: unterminated string */
			return false;
		if (c != '\\')
			continue;
		c = (unsigned char)*(*p)++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (!strchr("0123456789abcdefABCDEF", **p) || !*(*p)++)
					return false;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
}

static inline bool json_digits(const char **p)
{
	if (**p < '0' || **p > '9')
		return false;
	while (**p >= '0' && **p <= '9')
		(*p)++;
	return true;
}

static inline bool json_number(const char **p)
{
	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (!json_digits(p))
		return false;
	if (**p == '.') {
		(*p)++;
		if (!json_digits(p))
			return false;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!json_digits(p))
			return false;
	}
	return true;
}

static inline bool json_members(const char **p, int depth, char close, bool keyed)
{
	(*p)++;
	json_ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		json_ws(p);
		if (keyed) {
			if (!json_string(p))
				return false;
			json_ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!json_value(p, depth + 1))
			return false;
		json_ws(p);
		const char c = *(*p)++;
		if (c == close)
			return true;
		if (c != ',')
			return false;
	}
}

static inline bool json_value(const char **p, int depth)
{
	if (depth > 64)
		return false;
	json_ws(p);
	if (**p == '{' || **p == '[')
		return json_members(p, depth, **p == '{' ? '}' : ']', **p == '{');
	if (**p == '"')
		return json_string(p);
	static const char *const literals[] = {"true", "false", "null"};
	for (int i = 0; i < 3; i++)
		if (strncmp(*p, literals[i], strlen(literals[i])) == 0) {
			*p += strlen(literals[i]);
			return true;
		}
	return json_number(p);
}

static inline bool json_valid(const char *text)
{
	const char *p = text;
	if (!json_value(&p, 0))
		return false;
	json_ws(&p);
	return *p == '\0';
}

/* ---- a minimal XML well-formedness check: balanced tags, quoted attributes, no stray & or < ---
 */

static inline bool xml_entity_ok(const char *p)
{
	static const char *const names[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(p, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

static inline bool xml_well_formed(const char *p)
{
	char stack[64][32];
	int depth = 0, roots = 0;
	if (strncmp(p, "<?xml", 5) == 0) {
		if (!(p = strstr(p, "?>")))
			return false;
		p += 2;
	}
	while (*p) {
		if (*p == '&' && !xml_entity_ok(p))
			return false;
		if (*p != '<') {
			if (*p++ == '>')
				return false; /* legal in XML, but this writer escapes it */
			continue;
		}
		const bool closing = *++p == '/';
		p += closing;
		size_t n = strcspn(p, " \t\n/>");
		if (n == 0 || n >= sizeof stack[0])
			return false;
		char name[32];
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		while (*p && *p != '>' && *p != '/') { /* attributes: name="value" */
			p += strspn(p, " \t\n");
			size_t an = strcspn(p, "= \t\n/>");
			if (an == 0)
				break;
			p += an;
			if (*p++ != '=' || *p++ != '"')
				return false;
			for (; *p != '"'; p++)
				if (!*p || *p == '<' || (*p == '&' && !xml_entity_ok(p)))
					return false;
			p++;
		}
		const bool empty = *p == '/';
		p += empty;
		if (*p++ != '>')
			return false;
		if (closing) {
			if (depth == 0 || strcmp(stack[--depth], name) != 0)
				return false;
		} else if (!empty) {
			if (depth == 0)
				roots++;
			if (depth == 64)
				return false;
			strcpy(stack[depth++], name);
		} else if (depth == 0) {
			roots++;
		}
	}
	return depth == 0 && roots == 1;
}

#endif
