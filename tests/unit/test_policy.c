/* Unit tests for include/mlv/policy.h: reading .mlvconfig and the naming template. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/ini.h"
#include "mlv/policy.h"
#include "mlv/problems.h"

#define DEFAULT_REQUIRED \
	(MLV_SECTION_MODEL | MLV_SECTION_DATA | MLV_SECTION_CONFIG | \
	 MLV_SECTION_ENVIRONMENT | MLV_SECTION_CODE)
#define TEMPLATE "{project}-{task}-{architecture}-{dataset-version}-{date}-{run-id}"
#define NAME "fraud-detect-xgb-ds2024.11-20261123-r42"

/* Parse exactly `len` bytes held in a heap block of exactly that size. */
static int parse_exact(struct mlv_policy *p, struct mlv_problems *problems,
		       const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, data, len);
	err = mlv_policy_parse(p, problems, ".mlvconfig", copy, len);
	free(copy);
	return err;
}

#define parse_lit(p, problems, s) parse_exact((p), (problems), (s), sizeof(s) - 1)

static void assert_defaults(const struct mlv_policy *p)
{
	assert_int_equal(p->required, DEFAULT_REQUIRED);
	assert_int_equal(p->require_version_bump, 0);
	assert_null(p->name_template);
	assert_int_equal(p->allow_external_data, 1);
	assert_int_equal(p->strict_inputs, 0);
}

/* `text` is valid and leaves the policy in `*p` (initialized first). */
static void parse_ok(struct mlv_policy *p, const char *text)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	mlv_policy_init(p);
	assert_int_equal(parse_exact(p, &problems, text, strlen(text)), 0);
	assert_int_equal(problems.n, 0);
}

/* `text` gives exactly the one problem `msg`. */
static void parse_problem(struct mlv_policy *p, const char *text, const char *msg)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	mlv_policy_init(p);
	assert_int_equal(parse_exact(p, &problems, text, strlen(text)), MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_string_equal(problems.items[0], msg);
	mlv_problems_release(&problems);
}

static void test_policy__defaults(void **state)
{
	struct mlv_policy p;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	mlv_policy_init(&p);
	assert_defaults(&p);
	mlv_policy_release(&p);

	/* nothing, comments, or an empty [policy] change nothing */
	parse_ok(&p, "");
	assert_defaults(&p);
	parse_ok(&p, "; policy\n# none yet\n\n[policy]\n");
	assert_defaults(&p);
	mlv_policy_release(&p);
	assert_null(p.name_template);
}

static void test_policy__required_sections(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[policy]\nrequired-sections = model, data\n");
	assert_int_equal(p.required, MLV_SECTION_MODEL | MLV_SECTION_DATA);
	/* the rest of the policy keeps its defaults */
	assert_int_equal(p.allow_external_data, 1);

	parse_ok(&p, "[policy]\nrequired-sections = metrics,params\n");
	assert_int_equal(p.required, MLV_SECTION_METRICS | MLV_SECTION_PARAMS);

	parse_ok(&p, "[policy]\nrequired-sections = code\tenvironment  config ,, model,\n");
	assert_int_equal(p.required, MLV_SECTION_CODE | MLV_SECTION_ENVIRONMENT |
					     MLV_SECTION_CONFIG | MLV_SECTION_MODEL);

	parse_ok(&p, "[policy]\nrequired-sections = model, data, config, params, "
		     "environment, code, metrics\n");
	assert_int_equal(p.required, 0x7f);

	/* an empty list requires nothing */
	parse_ok(&p, "[policy]\nrequired-sections =\n");
	assert_int_equal(p.required, 0);

	/* the last one wins */
	parse_ok(&p, "[policy]\nrequired-sections = model\nrequired-sections = code\n");
	assert_int_equal(p.required, MLV_SECTION_CODE);
}

static void test_policy__unknown_section_name(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_problem(&p, "[policy]\nrequired-sections = model, hyperparams\n",
		      ".mlvconfig: policy.required-sections 'model, hyperparams' names "
		      "an unknown section (known: model, data, config, params, "
		      "environment, code, metrics)");
	/* a bad list changes nothing */
	assert_int_equal(p.required, DEFAULT_REQUIRED);

	/* names are exact: no case folding, no prefixes, no [mlv] */
	parse_problem(&p, "[policy]\nrequired-sections = Model\n",
		      ".mlvconfig: policy.required-sections 'Model' names an unknown "
		      "section (known: model, data, config, params, environment, "
		      "code, metrics)");
	parse_problem(&p, "[policy]\nrequired-sections = mod\n",
		      ".mlvconfig: policy.required-sections 'mod' names an unknown "
		      "section (known: model, data, config, params, environment, "
		      "code, metrics)");
	parse_problem(&p, "[policy]\nrequired-sections = models\n",
		      ".mlvconfig: policy.required-sections 'models' names an unknown "
		      "section (known: model, data, config, params, environment, "
		      "code, metrics)");
	parse_problem(&p, "[policy]\nrequired-sections = mlv\n",
		      ".mlvconfig: policy.required-sections 'mlv' names an unknown "
		      "section (known: model, data, config, params, environment, "
		      "code, metrics)");
}

static void test_policy__require_version_bump(void **state)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "TRUE" };
	static const char *const no[] = { "false", "no", "off", "0", "False" };
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_policy p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		mlv_buf_clear(&text);
		mlv_buf_printf(&text, "[policy]\nrequire-version-bump = %s\n", yes[i]);
		parse_ok(&p, text.ptr);
		assert_int_equal(p.require_version_bump, 1);
		assert_int_equal(p.strict_inputs, 0);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		mlv_buf_clear(&text);
		mlv_buf_printf(&text, "[policy]\nrequire-version-bump = true\n"
			       "require-version-bump = %s\n", no[i]);
		parse_ok(&p, text.ptr);
		assert_int_equal(p.require_version_bump, 0);
	}
	mlv_buf_release(&text);
}

static void test_policy__name_template(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[policy]\nname-template = " TEMPLATE "\n");
	assert_string_equal(p.name_template, TEMPLATE);
	mlv_policy_release(&p);
	assert_null(p.name_template);

	/* replaced by a later line (without leaking), cleared by an empty one */
	parse_ok(&p, "[policy]\nname-template = {a}\nname-template = {b}-{date}\n");
	assert_string_equal(p.name_template, "{b}-{date}");
	mlv_policy_release(&p);
	parse_ok(&p, "[policy]\nname-template = {a}\nname-template =\n");
	assert_null(p.name_template);
	mlv_policy_release(&p);

	/* an inline comment is not part of it */
	parse_ok(&p, "[policy]\nname-template = {a}-{date}   ; the team's\n");
	assert_string_equal(p.name_template, "{a}-{date}");
	mlv_policy_release(&p);
}

static void test_policy__allow_external_data(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[policy]\nallow-external-data = false\n");
	assert_int_equal(p.allow_external_data, 0);
	assert_int_equal(p.strict_inputs, 0);
	assert_int_equal(p.require_version_bump, 0);
	parse_ok(&p, "[policy]\nallow-external-data = no\nallow-external-data = yes\n");
	assert_int_equal(p.allow_external_data, 1);
}

static void test_policy__strict_inputs(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[policy]\nstrict-inputs = true\n");
	assert_int_equal(p.strict_inputs, 1);
	assert_int_equal(p.allow_external_data, 1);
	assert_int_equal(p.require_version_bump, 0);
	assert_int_equal(p.required, DEFAULT_REQUIRED);
}

static void test_policy__every_key(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[policy]\n"
		     "required-sections = model, data, metrics\n"
		     "require-version-bump = true\n"
		     "name-template = " TEMPLATE "\n"
		     "allow-external-data = false\n"
		     "strict-inputs = on\n");
	assert_int_equal(p.required, MLV_SECTION_MODEL | MLV_SECTION_DATA |
					     MLV_SECTION_METRICS);
	assert_int_equal(p.require_version_bump, 1);
	assert_string_equal(p.name_template, TEMPLATE);
	assert_int_equal(p.allow_external_data, 0);
	assert_int_equal(p.strict_inputs, 1);
	mlv_policy_release(&p);
}

static void test_policy__bad_bools(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_problem(&p, "[policy]\nrequire-version-bump = sometimes\n",
		      ".mlvconfig: policy.require-version-bump 'sometimes' is not true "
		      "or false");
	assert_int_equal(p.require_version_bump, 0);
	parse_problem(&p, "[policy]\nallow-external-data = 2\n",
		      ".mlvconfig: policy.allow-external-data '2' is not true or false");
	assert_int_equal(p.allow_external_data, 1);
	parse_problem(&p, "[policy]\nstrict-inputs = truely\n",
		      ".mlvconfig: policy.strict-inputs 'truely' is not true or false");
	assert_int_equal(p.strict_inputs, 0);
}

static void test_policy__unknown_key(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_problem(&p, "[policy]\nrequire-version-bumps = true\n",
		      ".mlvconfig: unknown key policy.require-version-bumps");
	assert_defaults(&p);
	parse_problem(&p, "[policy]\nStrict-Inputs = true\n",
		      ".mlvconfig: unknown key policy.Strict-Inputs");
	assert_int_equal(p.strict_inputs, 0);
}

static void test_policy__every_problem(void **state)
{
	struct mlv_policy p;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	mlv_policy_init(&p);
	assert_int_equal(parse_lit(&p, &problems,
				   "[policy]\ncolor = red\nstrict-inputs = maybe\n"
				   "required-sections = x\nallow-external-data = false\n"),
			 MLV_EINVALID);
	assert_int_equal(problems.n, 3);
	assert_string_equal(problems.items[0], ".mlvconfig: unknown key policy.color");
	assert_string_equal(problems.items[1],
			    ".mlvconfig: policy.strict-inputs 'maybe' is not true or false");
	assert_non_null(strstr(problems.items[2], "policy.required-sections 'x' names"));
	/* the good line is still read */
	assert_int_equal(p.allow_external_data, 0);
	mlv_problems_release(&problems);

	/* problems are added to what the list holds already */
	mlv_problems_add(&problems, "earlier");
	assert_int_equal(parse_lit(&p, &problems, "[policy]\nstrict-inputs = 1\n"), 0);
	assert_int_equal(problems.n, 1);
	assert_int_equal(parse_lit(&p, &problems, "[policy]\nx = 1\n"), MLV_EINVALID);
	assert_int_equal(problems.n, 2);
	assert_string_equal(problems.items[0], "earlier");
	mlv_problems_release(&problems);
}

static void test_policy__binary(void **state)
{
	static const char text[] = "[policy]\nstrict-inputs = true\n\0\0";
	struct mlv_policy p;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;

	(void)state;
	mlv_policy_init(&p);
	assert_int_equal(parse_exact(&p, &problems, text, sizeof(text) - 1), MLV_EINVALID);
	assert_int_equal(problems.n, 1);
	assert_string_equal(problems.items[0], ".mlvconfig: binary content, not an INI file");
	/* nothing of it is used */
	assert_defaults(&p);
	mlv_problems_release(&problems);
}

static void test_policy__other_sections_ignored(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[store]\nurl = s3://bucket/prefix\nstrict-inputs = true\n"
		     "color = red\n"
		     "[policy]\nallow-external-data = false\n"
		     "[hooks]\nrequired-sections = nonsense\n");
	assert_int_equal(p.strict_inputs, 0);
	assert_int_equal(p.allow_external_data, 0);
	assert_int_equal(p.required, DEFAULT_REQUIRED);

	/* keys before any section are not policy either */
	parse_ok(&p, "strict-inputs = true\n[policy]\n");
	assert_int_equal(p.strict_inputs, 0);
	/* nor is a named [policy "x"] */
	parse_ok(&p, "[policy \"x\"]\nstrict-inputs = true\n");
	assert_int_equal(p.strict_inputs, 0);
}

static void test_policy__syntax_error(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_problem(&p, "[policy]\nstrict-inputs = true\nnot ini\n",
		      ".mlvconfig:3: syntax error (lines are 'key = value' under "
		      "'[policy]')");
	/* the lines around it are read */
	assert_int_equal(p.strict_inputs, 1);
	parse_problem(&p, "[policy\nstrict-inputs = true\n",
		      ".mlvconfig:1: syntax error (lines are 'key = value' under "
		      "'[policy]')");
}

static void test_policy__line_limit(void **state)
{
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT, path = MLV_BUF_INIT, want = MLV_BUF_INIT;
	struct mlv_policy p;
	size_t pad;

	(void)state;
	/* a 64 KiB value, and a long path, are read whole */
	mlv_buf_puts(&text, "[policy]\nname-template = {project}-");
	for (pad = 0; pad < 64 * 1024; pad++)
		mlv_buf_putc(&text, pad % 100 == 99 ? '-' : 'n');
	for (pad = 0; pad < 40; pad++)
		mlv_buf_puts(&path, "a-rather-long-directory-name-for-models/");
	mlv_buf_puts(&path, "fraud.onnx");
	mlv_buf_printf(&text, "\nstrict-inputs = true\n[model \"fraud\"]\npath = %s\n",
		       path.ptr);
	parse_ok(&p, text.ptr);
	assert_int_equal(strlen(p.name_template), 10 + 64 * 1024);
	assert_memory_equal(p.name_template, "{project}-nnn", 13);
	assert_int_equal(p.strict_inputs, 1);
	assert_int_equal(p.nnames, 1);
	assert_string_equal(p.names[0].path, path.ptr);
	mlv_policy_release(&p);

	/* the same long path named twice is refused as a short one is */
	mlv_buf_clear(&text);
	mlv_buf_printf(&text, "[model \"a\"]\npath = %s\n[model \"b\"]\npath = %s\n",
		       path.ptr, path.ptr);
	mlv_buf_printf(&want, ".mlvconfig:4: model.b.path '%s': that path is named "
		       "once already ([model \"a\"] path = %s)", path.ptr, path.ptr);
	parse_problem(&p, text.ptr, want.ptr);
	mlv_policy_release(&p);

	/* a line over the limit is refused at its line, nothing of it is read
	 * (not the "key = value" in its tail), and the lines after it are read
	 * and counted right */
	mlv_buf_clear(&text);
	mlv_buf_puts(&text, "[policy]\nname-template = ");
	while (text.len < 9 + MLV_INI_MAX_LINE)
		mlv_buf_puts(&text, "n strict-inputs = true ");
	mlv_buf_truncate(&text, 9 + MLV_INI_MAX_LINE + 1);
	mlv_buf_puts(&text, "\nallow-external-data = false\n[policy]\nnot ini\n");
	mlv_policy_init(&p);
	assert_int_equal(parse_exact(&p, &problems, text.ptr, text.len), MLV_EINVALID);
	assert_int_equal(problems.n, 2);
	mlv_buf_clear(&want);
	mlv_buf_printf(&want, ".mlvconfig:2: line is %d bytes long, the limit is %d",
		       MLV_INI_MAX_LINE + 1, MLV_INI_MAX_LINE);
	assert_string_equal(problems.items[0], want.ptr);
	assert_string_equal(problems.items[1], ".mlvconfig:5: syntax error (lines are "
			    "'key = value' under '[policy]')");
	assert_null(p.name_template);
	assert_int_equal(p.strict_inputs, 0);
	assert_int_equal(p.allow_external_data, 0);
	mlv_policy_release(&p);
	mlv_problems_release(&problems);

	/* the longest line that is accepted */
	mlv_buf_truncate(&text, 9 + MLV_INI_MAX_LINE);
	mlv_buf_puts(&text, "\n");
	parse_ok(&p, text.ptr);
	assert_int_equal(strlen(p.name_template), MLV_INI_MAX_LINE - 16);
	assert_int_equal(p.strict_inputs, 0);
	mlv_policy_release(&p);
	mlv_buf_release(&text);
	mlv_buf_release(&path);
	mlv_buf_release(&want);
}

/* ------------------------------------------------------------------ */
/* The naming template. */

static void test_policy__registry_stages(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[registry]\nstages = dev, staging,prod\n");
	assert_int_equal(p.nstages, 3);
	assert_string_equal(p.stages[0], "dev");
	assert_string_equal(p.stages[2], "prod");
	assert_true(mlv_policy_stage_allowed(&p, "staging"));
	assert_false(mlv_policy_stage_allowed(&p, "qa"));
	assert_true(mlv_policy_has_registry_rules(&p));
	mlv_policy_release(&p);

	/* unset: any stage; an empty list: none */
	parse_ok(&p, "[policy]\nstrict-inputs = true\n");
	assert_true(mlv_policy_stage_allowed(&p, "anything"));
	assert_false(mlv_policy_has_registry_rules(&p));
	mlv_policy_release(&p);
	parse_ok(&p, "[registry]\nstages =\n");
	assert_false(mlv_policy_stage_allowed(&p, "prod"));
	mlv_policy_release(&p);

	parse_problem(&p, "[registry]\n\nstages = dev, pr/od\n",
		      ".mlvconfig:3: registry.stages: 'pr/od' is not a stage name "
		      "(letters, digits, '_' and '-')");
	assert_null(p.stages);
	mlv_policy_release(&p);
	parse_problem(&p, "[registry]\nstage = dev\n",
		      ".mlvconfig:2: unknown key registry.stage (known: stages)");
	mlv_policy_release(&p);
}

static void test_policy__stage_rules(void **state)
{
	const struct mlv_stage_rule *r;
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[stage \"prod\"]\nfrom = staging\nbranches = main, release/2\n"
		     "require-signed = true\n[stage \"staging\"]\nbranches = main\n"
		     "[stage \"prod\"]\nfrom = canary\n");
	assert_int_equal(p.nrules, 2);
	assert_non_null(r = mlv_policy_stage_rule(&p, "prod"));
	assert_string_equal(r->from, "canary"); /* the later line wins */
	assert_int_equal(r->nbranches, 2);
	assert_string_equal(r->branches[1], "release/2");
	assert_int_equal(r->require_signed, 1);
	assert_non_null(r = mlv_policy_stage_rule(&p, "staging"));
	assert_null(r->from);
	assert_int_equal(r->require_signed, 0);
	assert_null(mlv_policy_stage_rule(&p, "dev"));
	assert_true(mlv_policy_has_registry_rules(&p));
	mlv_policy_release(&p);
	assert_int_equal(p.nrules, 0);
}

static void test_policy__bad_stage_rules(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_problem(&p, "[stage \"prod\"]\nfrom = staging, dev\n",
		      ".mlvconfig:2: stage.prod.from 'staging, dev' is not one stage "
		      "name (letters, digits, '_' and '-')");
	mlv_policy_release(&p);
	parse_problem(&p, "[stage \"prod\"]\nbranches = main, a..b\n",
		      ".mlvconfig:2: stage.prod.branches: 'a..b' is not a branch name");
	assert_int_equal(p.rules[0].nbranches, 0);
	mlv_policy_release(&p);
	parse_problem(&p, "[stage \"prod\"]\n; signed\nrequire-signed = yes please\n",
		      ".mlvconfig:3: stage.prod.require-signed 'yes please' is not true "
		      "or false");
	mlv_policy_release(&p);
	parse_problem(&p, "[stage \"prod\"]\nsigned = true\n",
		      ".mlvconfig:2: unknown key stage.prod.signed (known: from, "
		      "branches, require-signed)");
	mlv_policy_release(&p);
	parse_problem(&p, "[stage \"pr od\"]\nfrom = dev\n",
		      ".mlvconfig:2: [stage \"pr od\"]: not a stage name (letters, "
		      "digits, '_' and '-')");
	assert_int_equal(p.nrules, 0);
	mlv_policy_release(&p);
	/* [stage] without a name and [stages "x"] are not ours */
	parse_ok(&p, "[stage]\nfrom = x y\n[stages \"x\"]\nfrom = x y\n");
	assert_false(mlv_policy_has_registry_rules(&p));
	mlv_policy_release(&p);
}

static void test_policy__model_names(void **state)
{
	struct mlv_policy p;

	(void)state;
	parse_ok(&p, "[model \"fraud\"]\npath = models/fraud.onnx\n"
		     "[model \"team/churn_v2\"]\npath = m/c.pt\n");
	assert_int_equal(p.nnames, 2);
	assert_string_equal(p.names[0].name, "fraud");
	assert_string_equal(p.names[0].path, "models/fraud.onnx");
	assert_string_equal(p.names[1].name, "team/churn_v2");
	assert_false(mlv_policy_has_registry_rules(&p));
	mlv_policy_release(&p);
	parse_problem(&p, "[model \"-x\"]\npath = m.onnx\n",
		      ".mlvconfig:2: [model \"-x\"]: not a registry name (letters, "
		      "digits, '/', '_' and '-'; not first: '-' or '/')");
	mlv_policy_release(&p);
	parse_problem(&p, "[model \"x\"]\nfile = m.onnx\n",
		      ".mlvconfig:2: unknown key model.x.file (known: path)");
	mlv_policy_release(&p);
	parse_problem(&p, "[model \"x\"]\npath = ../m.onnx\n",
		      ".mlvconfig:2: model.x.path '../m.onnx' is outside the repository (a '..' part "
		      "leaves it)");
	mlv_policy_release(&p);
	parse_problem(&p, "[model \"x\"]\npath = a.onnx\n[model \"x\"]\npath = b.onnx\n",
		      ".mlvconfig:4: model.x.path 'b.onnx': that model is named once "
		      "already ([model \"x\"] path = a.onnx)");
	assert_int_equal(p.nnames, 1);
	mlv_policy_release(&p);
	assert_true(mlv_policy_registry_name_is_valid("models/Team_A-1/x"));
	assert_false(mlv_policy_registry_name_is_valid("models//x"));
	assert_false(mlv_policy_registry_name_is_valid("models/x/"));
	assert_false(mlv_policy_registry_name_is_valid("/x"));
	assert_false(mlv_policy_registry_name_is_valid("a#b"));
	assert_false(mlv_policy_registry_name_is_valid(""));
}

static void test_policy__name_matches(void **state)
{
	(void)state;
	assert_true(mlv_policy_name_matches(TEMPLATE, NAME));
	assert_true(mlv_policy_name_matches(TEMPLATE, "a-b-c-d-00000000-e"));
	assert_true(mlv_policy_name_matches(TEMPLATE,
					    "Fraud_2-detect-xgb.v2-ds-20261123-r_42.b"));
	/* literal text around fields */
	assert_true(mlv_policy_name_matches("model-{date}-v{run}", "model-20261123-v7"));
	assert_true(mlv_policy_name_matches("exact", "exact"));
	assert_true(mlv_policy_name_matches("", ""));
	/* a field or date followed by '.' or '_' in the template: the field
	 * must give back what the literal needs */
	assert_true(mlv_policy_name_matches("model-{date}.v{run}", "model-20261123.v7"));
	assert_true(mlv_policy_name_matches("{name}.v{run}", "fraud.xgb.v12"));
	assert_true(mlv_policy_name_matches("{a}_{b}", "x_y_z"));
	assert_false(mlv_policy_name_matches("{name}.v{run}", "fraud.xgb"));
	/* many fields against a long name stays quick (memoized) */
	assert_false(mlv_policy_name_matches("{a}{b}{c}{d}{e}{f}{g}{h}.x",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_policy__name_wrong_date(void **state)
{
	(void)state;
	/* 7 digits, 9 digits, letters */
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-2026112-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-202611230-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-2026112a-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-nov2026x-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-2026-11-23-r42"));
	/* the date at the very end, cut short */
	assert_false(mlv_policy_name_matches("m-{date}", "m-2026112"));
	assert_false(mlv_policy_name_matches("m-{date}", "m-"));
	assert_true(mlv_policy_name_matches("m-{date}", "m-20261123"));
	assert_false(mlv_policy_name_matches("m-{date}", "m-20261123.1"));
}

static void test_policy__name_fields(void **state)
{
	(void)state;
	/* a missing field */
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-20261123-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-20261123"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-20261123-"));
	/* an extra suffix */
	assert_false(mlv_policy_name_matches(TEMPLATE, NAME "-extra"));
	assert_false(mlv_policy_name_matches(TEMPLATE, NAME "-"));
	assert_false(mlv_policy_name_matches(TEMPLATE, NAME " "));
	assert_false(mlv_policy_name_matches("exact", "exact2"));
	/* an empty field */
	assert_false(mlv_policy_name_matches(TEMPLATE, "-detect-xgb-ds2024.11-20261123-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud--xgb-ds2024.11-20261123-r42"));
	/* characters outside [A-Za-z0-9._] in a field */
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb/1-ds2024.11-20261123-r42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud-detect-xgb-ds2024.11-20261123-r 42"));
	assert_false(mlv_policy_name_matches(TEMPLATE, ""));
}

static void test_policy__name_literal_mismatch(void **state)
{
	(void)state;
	assert_false(mlv_policy_name_matches(TEMPLATE, "fraud+detect-xgb-ds2024.11-20261123-r42"));
	assert_false(mlv_policy_name_matches("model-{date}", "modal-20261123"));
	assert_false(mlv_policy_name_matches("model-{date}", "model_20261123"));
	assert_false(mlv_policy_name_matches("model-{date}", "Model-20261123"));
	assert_false(mlv_policy_name_matches("exact", "exacT"));
	assert_false(mlv_policy_name_matches("exact", "exac"));
	/* a template with an unclosed field matches nothing */
	assert_false(mlv_policy_name_matches("{project", "project"));
	assert_false(mlv_policy_name_matches("{project", "{project"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__defaults),
		cmocka_unit_test(test_policy__required_sections),
		cmocka_unit_test(test_policy__unknown_section_name),
		cmocka_unit_test(test_policy__require_version_bump),
		cmocka_unit_test(test_policy__name_template),
		cmocka_unit_test(test_policy__allow_external_data),
		cmocka_unit_test(test_policy__strict_inputs),
		cmocka_unit_test(test_policy__every_key),
		cmocka_unit_test(test_policy__bad_bools),
		cmocka_unit_test(test_policy__unknown_key),
		cmocka_unit_test(test_policy__every_problem),
		cmocka_unit_test(test_policy__binary),
		cmocka_unit_test(test_policy__other_sections_ignored),
		cmocka_unit_test(test_policy__syntax_error),
		cmocka_unit_test(test_policy__line_limit),
		cmocka_unit_test(test_policy__registry_stages),
		cmocka_unit_test(test_policy__model_names),
		cmocka_unit_test(test_policy__stage_rules),
		cmocka_unit_test(test_policy__bad_stage_rules),
		cmocka_unit_test(test_policy__name_matches),
		cmocka_unit_test(test_policy__name_wrong_date),
		cmocka_unit_test(test_policy__name_fields),
		cmocka_unit_test(test_policy__name_literal_mismatch),
	};

	git_libgit2_init(); /* branch names are checked by libgit2 */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
