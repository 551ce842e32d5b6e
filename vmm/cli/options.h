/* SPDX-License-Identifier: MIT */
/*
 * The one way minivmm's subcommands read their command lines. Each subcommand describes its
 * options in a struct cli_spec and handles each option's value in a callback; cli_parse() does
 * the rest the same way for all of them: it resets getopt_long's global state, tells an unknown
 * option from one missing its value, refuses arguments the subcommand does not take, and turns
 * each refusal into a usage error (status 64) that names the option and points to the
 * subcommand's --help.
 */
#ifndef MINIVMM_CLI_OPTIONS_H
#define MINIVMM_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

#include "util/vmm_error.h"

/* cli_parse() returns this when --help (-h) was given: the caller prints its usage. */
#define CLI_HELP 1

struct cli_spec {
	const char *short_options;	   /* getopt's letters, without "+:"; "h" always */
	const struct option *long_options; /* with {"help", no_argument, NULL, 'h'} */
	const char *operand;	  /* the one argument that is not an option ("GUEST"), or NULL */
	void (*usage)(FILE *out); /* --help: each option above, one line starting with it */
};

/* Called for each option in order with getopt_long's value (the `val` of its struct option)
 * and argument (NULL if it takes none); returns 0 or a negative errno with a usage error in
 * err, to which cli_parse() adds the pointer to --help. */
typedef int (*cli_option_fn)(int opt, const char *arg, void *ctx, struct vmm_error *err);

/* Parses argv[1..] (argv[0] is the subcommand's name, as the messages show it). Options come
 * before the operand, as POSIX has it: parsing stops at the first argument that is not an
 * option (or after "--"). Returns 0 with *operand set to the operand or NULL (if spec has one),
 * CLI_HELP, or -EINVAL with a usage error in err. */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, cli_option_fn fn, void *ctx,
	      const char **operand, struct vmm_error *err);

/* A usage error found after parsing (options that exclude each other, say): the message from
 * fmt, then "(see minivmm COMMAND --help)". Returns -EINVAL. */
int cli_usage_error(struct vmm_error *err, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
