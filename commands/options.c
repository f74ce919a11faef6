/*
 * One option parser for every command, in the manner of git's
 * parse-options: a table of options, each with its help, from which both
 * the parsing and the usage text come, so they cannot drift apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "mlv/similar.h"
#include "mlv/util.h"

static void print_usage(FILE *out, const char *usage, const struct option *opts)
{
	const struct option *o;
	const char *line = usage;
	int first = 1;

	/* one usage line per line of `usage`, as git prints several */
	while (*line) {
		size_t n = strcspn(line, "\n");

		fprintf(out, "%s git mlv %.*s\n", first ? "usage:" : "   or:", (int)n, line);
		line += n + (line[n] == '\n');
		first = 0;
	}
	fputc('\n', out);
	for (o = opts; o->type != OPTION_END; o++) {
		char left[80];
		int n = 0;

		if (o->short_name && o->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->short_name, o->long_name);
		else if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c", o->short_name);
		else
			n = snprintf(left, sizeof(left), "--%s%s", o->type == OPTION_FLAG &&
				     !(o->flags & OPTION_NONEG) ? "[no-]" : "", o->long_name);
		if (o->type != OPTION_FLAG && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n,
				 o->flags & OPTION_OPTARG ? "[=%s]" : " %s", o->argh);
		fprintf(out, "    %-26s %s\n", left, o->help);
	}
}

/* The option whose long name is `name` (`len` bytes), or NULL. */
static const struct option *find_long(const struct option *opts, const char *name, size_t len)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static int bad_option(const char *usage, const struct option *opts, const char *what,
		      const char *name, size_t len)
{
	const struct option *o;
	const char **names, *best = NULL;
	size_t n = 0;
	char *given = mlv_xstrndup(name, len);

	fprintf(stderr, "error: %s '%s'\n", what, given);
	for (o = opts; o->type != OPTION_END; o++)
		n++;
	names = mlv_xreallocarray(NULL, n + 1, sizeof(*names));
	for (n = 0, o = opts; o->type != OPTION_END; o++)
		if (o->long_name)
			names[n++] = o->long_name;
	/* a real option given wrongly needs no other name */
	if (len > 1 && !find_long(opts, name, len))
		best = mlv_similar_nearest(given, names, n);
	if (best)
		fprintf(stderr, "\nThe most similar option is\n\t--%s\n", best);
	free(names);
	free(given);
	print_usage(stderr, usage, opts);
	return 129;
}

/* Set `o` from `arg` (NULL: no value given). 0, or the exit code. */
static int set_option(const struct option *o, const char *arg, int negated, const char *usage,
		      const struct option *opts)
{
	switch (o->type) {
	case OPTION_FLAG:
		*(int *)o->value = negated ? 0 : 1;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = negated ? NULL : arg ? arg : o->defval;
		return 0;
	case OPTION_CALLBACK:
		if (o->callback(o, arg) == 0)
			return 0;
		print_usage(stderr, usage, opts);
		return 129;
	case OPTION_END:
		break;
	}
	return 0;
}

static int takes_value(const struct option *o)
{
	return o->type != OPTION_FLAG && !(o->flags & OPTION_OPTARG);
}

/* A long option at argv[*i] ("--name", "--name=value", "--no-name"). */
static int parse_long(int argc, char **argv, int *i, const struct option *opts,
		      const char *usage)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option *o = find_long(opts, name, len);
	int negated = 0;

	if (!o && len > 3 && !strncmp(name, "no-", 3) &&
	    (o = find_long(opts, name + 3, len - 3))) {
		if (o->flags & OPTION_NONEG || eq)
			return bad_option(usage, opts, "unknown option", name, len);
		negated = 1;
	}
	if (!o)
		return bad_option(usage, opts, "unknown option", name, len);
	if (o->type == OPTION_FLAG && eq)
		return bad_option(usage, opts, "option takes no value:", name, len);
	if (eq || negated || !takes_value(o))
		return set_option(o, eq ? eq + 1 : NULL, negated, usage, opts);
	if (*i + 1 >= argc)
		return bad_option(usage, opts, "option needs a value:", name, len);
	return set_option(o, argv[++*i], 0, usage, opts);
}

/* Short options at argv[*i], bundled ("-qs") or with a value ("-mtext",
 * "-m text"). */
static int parse_short(int argc, char **argv, int *i, const struct option *opts,
		       const char *usage)
{
	const char *p;
	int rc;

	for (p = argv[*i] + 1; *p; p++) {
		const struct option *o;

		for (o = opts; o->type != OPTION_END && o->short_name != *p; o++)
			;
		if (o->type == OPTION_END)
			return bad_option(usage, opts, "unknown switch", p, 1);
		if (!takes_value(o)) {
			if ((rc = set_option(o, NULL, 0, usage, opts)))
				return rc;
			continue;
		}
		if (p[1])
			return set_option(o, p + 1, 0, usage, opts);
		if (*i + 1 >= argc)
			return bad_option(usage, opts, "switch needs a value:", p, 1);
		return set_option(o, argv[++*i], 0, usage, opts);
	}
	return 0;
}

int parse_options(int *argc, char **argv, const struct option *opts, const char *usage)
{
	return parse_options_flags(argc, argv, opts, usage, 0);
}

int parse_options_flags(int *argc, char **argv, const struct option *opts,
			const char *usage, unsigned flags)
{
	int i, kept = 1, rc, only_args = 0;

	for (i = 1; i < *argc; i++) {
		const char *arg = argv[i];

		if (only_args || arg[0] != '-' || !arg[1]) {
			argv[kept++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_args = 1;
			if (flags & PARSE_KEEP_DASHDASH)
				argv[kept++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help-usage")) {
			print_usage(stdout, usage, opts);
			return 129;
		}
		rc = arg[1] == '-' ? parse_long(*argc, argv, &i, opts, usage)
				   : parse_short(*argc, argv, &i, opts, usage);
		if (rc)
			return rc;
	}
	argv[kept] = NULL;
	*argc = kept;
	return 0;
}

int usage_with_options(const char *usage, const struct option *opts)
{
	print_usage(stderr, usage, opts);
	return 129;
}

int text_or_json(int *json, const char *format)
{
	if (!format || (!strcmp(format, "text") && !*json))
		return 0;
	if (!strcmp(format, "json")) {
		*json = 1;
		return 0;
	}
	if (!strcmp(format, "text")) {
		fprintf(stderr, "fatal: --json and --format text disagree\n");
		return 129;
	}
	fprintf(stderr, "fatal: unknown format '%s' (text or json)\n", format);
	return 129;
}
