/* SPDX-License-Identifier: MIT */
#include "cli/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

/* Appends the pointer to the subcommand's --help to the usage error in err; returns ret. */
static int see_help(struct vmm_error *err, const char *command, int ret)
{
	size_t n = strlen(err->msg);
	snprintf(err->msg + n, sizeof err->msg - n, " (see minivmm %s --help)", command);
	return ret;
}

int cli_usage_error(struct vmm_error *err, const char *command, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->status = VMM_EXIT_USAGE;
	return see_help(err, command, -EINVAL);
}

/* The long option a word ("--name" or "--name=value") names, as getopt_long finds it: the exact
 * name, or the only one it abbreviates. NULL if none or several (listed in candidates). */
static const struct option *find_long_option(const struct option *options, const char *word,
					     char *candidates, size_t size)
{
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	const struct option *match = NULL;
	unsigned matches = 0;
	candidates[0] = '\0';
	for (const struct option *o = options; o->name && len > 0; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0') { /* exact: taken over any longer name it also begins */
			candidates[0] = '\0';
			return o;
		}
		size_t used = strlen(candidates);
		snprintf(candidates + used, size - used, "%s--%s", used ? " or " : "", o->name);
		match = o;
		matches++;
	}
	return matches == 1 ? match : NULL;
}

/* getopt_long returned '?' (refused) or ':' (value missing) for the option in word. */
static int refuse_option(const struct cli_spec *spec, const char *word, int c,
			 struct vmm_error *err)
{
	if (strncmp(word, "--", 2) != 0) {
		/* A short option, maybe inside a cluster ("-xh"): name the letter, not the word. */
		char letter = optopt > ' ' && optopt < 127 ? (char)optopt : '?';
		if (c == ':')
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "missing value for -%c",
					     letter);
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "unknown option '-%c'", letter);
	}
	char candidates[256];
	const struct option *o =
	    find_long_option(spec->long_options, word, candidates, sizeof candidates);
	int len = (int)strcspn(word, "=");
	if (o && c == ':')
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "missing value for --%s",
				     o->name);
	if (o && word[len] == '=' && o->has_arg == no_argument)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "option '--%s' takes no value",
				     o->name);
	if (!o && candidates[0])
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "ambiguous option '%.*s': did you mean %s?", len, word,
				     candidates);
	return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "unknown option '%.*s'", len, word);
}

/* More arguments are left than the subcommand takes: name the first one too many. */
static int refuse_operand(const struct cli_spec *spec, char **left, struct vmm_error *err)
{
	const char *what = spec->operand;
	if (!what)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "unexpected argument '%s': give options only", left[0]);
	if (left[1][0] == '-' && left[1][1] != '\0') /* parsing stopped at the operand */
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "option '%s' after %s '%s': put options before %s", left[1],
				     what, left[0], what);
	return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
			     "unexpected argument '%s': give one %s at most", left[1], what);
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, cli_option_fn fn, void *ctx,
	      const char **operand, struct vmm_error *err)
{
	/* '+': stop at the first operand (POSIX), so an operand's own arguments could follow it;
	 * ':': getopt_long returns ':' for a missing value and '?' for the rest. */
	char optstring[64];
	int n = snprintf(optstring, sizeof optstring, "+:%s", spec->short_options);
	if (n < 0 || (size_t)n >= sizeof optstring)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "too many short options");
	const char *command = argv[0];
	/* 0, not 1: glibc then also forgets its position inside a cluster like "-hx", which a
	 * second call would otherwise resume in the previous argv (use after free, fuzz_cli). */
	optind = 0;
	opterr = 0; /* the messages are ours, one line each */
	for (;;) {
		/* The word getopt_long is about to read: when it refuses one, optind may or may not
		 * have moved past it (not inside a cluster), so it is noted before. */
		int word = optind ? optind : 1;
		int c = getopt_long(argc, argv, optstring, spec->long_options, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return see_help(err, command, refuse_option(spec, argv[word], c, err));
		if (c == 'h')
			return CLI_HELP;
		int ret = fn(c, optarg, ctx, err);
		if (ret)
			return see_help(err, command, ret);
	}
	int left = argc - optind;
	if (left > (spec->operand ? 1 : 0))
		return see_help(err, command, refuse_operand(spec, argv + optind, err));
	if (operand)
		*operand = left ? argv[optind] : NULL;
	return 0;
}
