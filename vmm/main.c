/* SPDX-License-Identifier: MIT */
/*
 * minivmm's entry point: picks the subcommand, and is the one place where errors become the
 * user's message and the process exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "cli/info.h"
#include "cli/options.h"
#include "cli/run_command.h"
#include "cli/top.h"
#include "compare/compare.h"

static int help_command(int argc, char **argv, struct vmm_error *err);
static int version_command(int argc, char **argv, struct vmm_error *err);
static void help_usage(FILE *out);
static void version_usage(FILE *out);

/*
 * The commands, as kvmtool's builtin table has them: main() dispatches through it, and
 * `minivmm --help` and the unknown-command message list it. Each command parses its own options
 * with cli_parse() (cli/options.h) and returns an exit status >= 0, or a negative errno with a
 * struct vmm_error that fail() turns into the message.
 */
struct command {
	const char *name;
	int (*run)(int argc, char **argv, struct vmm_error *err); /* argv[0] is the name */
	const char *help;					  /* one line for --help */
	void (*usage)(FILE *out);				  /* its --help */
};

static const struct command commands[] = {
    {"run", run_command, "boot a guest (default: the built-in toy guest)", cli_run_usage},
    {"restore", restore_command, "resume a VM saved in a snapshot file", cli_restore_usage},
    {"info", info_command, "what KVM offers on this host; --cpuid: the guest's CPUID", info_usage},
    {"compare", compare_command, "the same operations on the host and in the guest", compare_usage},
    {"bench", bench_command, "exit round trips vs a bare KVM loop; tracing overhead", bench_usage},
    {"top", top_command, "live exits of a VM run with --api-sock SOCKET", top_usage},
    {"help", help_command, "a command's options: minivmm help COMMAND", help_usage},
    {"version", version_command, "minivmm's version", version_usage},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "run, info, ... or version", for the messages that ask for a command. */
static const char *command_names(void)
{
	static char names[128];
	size_t used = 0;
	for (size_t i = 0; i < COMMAND_COUNT && used < sizeof names; i++)
		used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
					 i == 0			  ? ""
					 : i + 1 == COMMAND_COUNT ? " or "
								  : ", ",
					 commands[i].name);
	return names;
}

static void main_usage(FILE *out)
{
	fprintf(out, "usage: minivmm COMMAND [options] [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	/* run is the command most people come for: its options follow, as before the table. */
	fprintf(out, "\nminivmm help COMMAND or minivmm COMMAND --help: that command's options.\n"
		     "minivmm --help also shows run's:\n\n");
	cli_run_usage(out);
}

static void help_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm help [COMMAND]\n"
		"\n"
		"Without COMMAND: the commands and run's options (as minivmm --help).\n"
		"With COMMAND, one of %s:\n"
		"that command's options, as minivmm COMMAND --help shows them.\n"
		"\n"
		"help options:\n"
		"  -h, --help           this text\n",
		command_names());
}

static void version_usage(FILE *out)
{
	fprintf(out, "usage: minivmm version (or minivmm --version)\n"
		     "\n"
		     "Prints minivmm's version.\n"
		     "\n"
		     "version options:\n"
		     "  -h, --help           this text\n");
}

static const struct option help_only_options[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* help and version have no option but --help: any other reaches this as a bug. */
static int no_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	(void)arg;
	(void)ctx;
	return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
}

static int help_command(int argc, char **argv, struct vmm_error *err)
{
	static const struct cli_spec spec = {
	    .short_options = "h",
	    .long_options = help_only_options,
	    .operand = "COMMAND",
	    .usage = help_usage,
	};
	const char *name;
	int ret = cli_parse(&spec, argc, argv, no_option, NULL, &name, err);
	if (ret == CLI_HELP) {
		help_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!name) {
		main_usage(stdout);
		return 0;
	}
	const struct command *cmd = find_command(name);
	if (!cmd)
		return cli_usage_error(err, argv[0], "unknown command '%s': give one of %s", name,
				       command_names());
	cmd->usage(stdout);
	return 0;
}

static int version_command(int argc, char **argv, struct vmm_error *err)
{
	static const struct cli_spec spec = {
	    .short_options = "h",
	    .long_options = help_only_options,
	    .usage = version_usage,
	};
	int ret = cli_parse(&spec, argc, argv, no_option, NULL, NULL, err);
	if (ret == CLI_HELP) {
		version_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	printf("minivmm %s\n", MINIVMM_VERSION);
	return 0;
}

/* The one place an error becomes the user's message and the exit status. */
static int fail(const char *command, const struct vmm_error *err)
{
	int status = err->status ? (int)err->status : VMM_EXIT_INTERNAL; /* none set: a bug */
	const char *msg = err->msg[0] ? err->msg : "internal error: no message";
	/* A usage error is about what was typed after the command: it names the command, whose
	 * --help explains it. */
	if (status == VMM_EXIT_USAGE && command)
		fprintf(stderr, "minivmm %s: %s\n", command, msg);
	else
		fprintf(stderr, "minivmm: %s\n", msg);
	return status;
}

int main(int argc, char **argv)
{
	struct vmm_error err = {0};
	if (argc < 2) {
		vmm_error_set(&err, -EINVAL, VMM_EXIT_USAGE,
			      "no command given: give one of %s (see minivmm --help)",
			      command_names());
		return fail(NULL, &err);
	}
	/* The options every program answers, given in place of a command. */
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		argv[1] = "help";
	else if (strcmp(argv[1], "--version") == 0)
		argv[1] = "version";
	const struct command *cmd = find_command(argv[1]);
	if (!cmd) {
		vmm_error_set(&err, -EINVAL, VMM_EXIT_USAGE,
			      "unknown command '%s': give one of %s (see minivmm --help)", argv[1],
			      command_names());
		return fail(NULL, &err);
	}
	int ret = cmd->run(argc - 1, argv + 1, &err);
	return ret >= 0 ? ret : fail(cmd->name, &err);
}
