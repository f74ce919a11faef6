/*
 * Unit tests for include/mlv/aws.h: credentials, profile, region and
 * endpoint from the environment and the AWS files. Every test runs with
 * HOME and both AWS_*_FILE variables pointing into a throwaway directory,
 * so the real ~/.aws is never read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/aws.h"
#include "mlv/error.h"

#define KEY_ENV "AKIAENVENVENVENVENV1"
#define SECRET_ENV "envSecretwJalrXUtnFEMI/K7MDENG/bPxRfiCY"
#define TOKEN_ENV "envTokenFwoGZXIvYXdzEJr//////////wEaDEXAMPLE"
#define KEY_CRED "AKIACREDCREDCREDCRED"
#define SECRET_CRED "credSecretXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE"
#define TOKEN_CRED "credTokenIQoJb3JpZ2luX2VjEXAMPLE+/="
#define KEY_WORK "AKIAWORKWORKWORKWORK"
#define SECRET_WORK "workSecretXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE"
#define KEY_CONF "AKIACONFCONFCONFCONF"
#define SECRET_CONF "confSecretXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE"
#define TOKEN_CONF "confTokenIQoJb3JpZ2luX2VjEXAMPLE"

static const char *const aws_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_CONFIG_FILE",
};

struct fixture {
	char dir[64];
	char home[96];
	char cred[96];
	char conf[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mlv-aws-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->home, sizeof(f->home), "%s/home", f->dir);
	snprintf(f->cred, sizeof(f->cred), "%s/credentials", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/config", f->dir);
	if (mkdir(f->home, 0700) < 0)
		return -1;
	for (i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++)
		unsetenv(aws_vars[i]);
	if (setenv("HOME", f->home, 1) < 0 ||
	    setenv("AWS_SHARED_CREDENTIALS_FILE", f->cred, 1) < 0 ||
	    setenv("AWS_CONFIG_FILE", f->conf, 1) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[160];

	unlink(f->cred);
	unlink(f->conf);
	snprintf(path, sizeof(path), "%s/.aws/credentials", f->home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.aws/config", f->home);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.aws", f->home);
	rmdir(path);
	rmdir(f->home);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void set(const char *name, const char *value)
{
	assert_int_equal(setenv(name, value, 1), 0);
}

/* The secret and the token must never reach `source`, which is printed. */
static void assert_no_secrets(const char *s)
{
	static const char *const secrets[] = {
		SECRET_ENV, TOKEN_ENV, SECRET_CRED, TOKEN_CRED, SECRET_WORK,
		SECRET_CONF, TOKEN_CONF,
	};
	size_t i;

	if (!s)
		return;
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(s, secrets[i]))
			fail_msg("'%s' shows a secret", s);
}

/* mlv_aws_load() that must succeed. */
static void load(struct mlv_aws *a)
{
	memset(a, 'x', sizeof(*a));
	mlv_error_clear();
	assert_int_equal(mlv_aws_load(a), 0);
	assert_non_null(a->profile);
	assert_non_null(a->region);
	assert_non_null(a->source);
	assert_no_secrets(a->source);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack ? haystack : "(null)",
			 needle);
}

#define CRED_FILE                                        \
	"[default]\n"                                    \
	"aws_access_key_id = " KEY_CRED "\n"             \
	"aws_secret_access_key = " SECRET_CRED "\n"      \
	"\n"                                             \
	"[work]\n"                                       \
	"aws_access_key_id = " KEY_WORK "\n"             \
	"aws_secret_access_key = " SECRET_WORK "\n"

#define CONF_FILE                                        \
	"[default]\n"                                    \
	"region = eu-west-1\n"                           \
	"endpoint_url = https://default.example\n"       \
	"\n"                                             \
	"[profile work]\n"                               \
	"region = ap-south-1\n"                          \
	"endpoint_url = https://work.example\n"          \
	"\n"                                             \
	"[work]\n"                                       \
	"region = us-west-2\n"                           \
	"endpoint_url = https://wrong.example\n"

static void test_aws__nothing_anywhere(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	load(&a);
	assert_string_equal(a.profile, "default");
	assert_null(a.access_key_id);
	assert_null(a.secret_access_key);
	assert_null(a.session_token);
	assert_string_equal(a.region, "us-east-1");
	assert_null(a.endpoint);
	/* says where it looked */
	assert_contains(a.source, "AWS_ACCESS_KEY_ID");
	assert_contains(a.source, f->cred);
	assert_contains(a.source, "'default'");
	mlv_aws_release(&a);
}

static void test_aws__empty_files(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "");
	write_text(f->conf, "");
	load(&a);
	assert_null(a.access_key_id);
	assert_string_equal(a.region, "us-east-1");
	mlv_aws_release(&a);
}

static void test_aws__default_profile_from_credentials(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, CRED_FILE);
	load(&a);
	assert_string_equal(a.profile, "default");
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.secret_access_key, SECRET_CRED);
	assert_null(a.session_token);
	assert_contains(a.source, f->cred);
	assert_contains(a.source, "'default'");
	mlv_aws_release(&a);
}

static void test_aws__env_keys_win(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "[default]\naws_access_key_id = " KEY_CRED
			    "\naws_secret_access_key = " SECRET_CRED
			    "\naws_session_token = " TOKEN_CRED "\n");
	write_text(f->conf, "[default]\naws_access_key_id = " KEY_CONF
			    "\naws_secret_access_key = " SECRET_CONF "\n");
	set("AWS_ACCESS_KEY_ID", KEY_ENV);
	set("AWS_SECRET_ACCESS_KEY", SECRET_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_ENV);
	assert_string_equal(a.secret_access_key, SECRET_ENV);
	/* the file's token belongs to the file's key: never mixed in */
	assert_null(a.session_token);
	assert_contains(a.source, "environment");
	mlv_aws_release(&a);

	set("AWS_SESSION_TOKEN", TOKEN_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_ENV);
	assert_string_equal(a.session_token, TOKEN_ENV);
	mlv_aws_release(&a);
}

/* An env key without its secret (or set empty) does not count. */
static void test_aws__env_keys_incomplete(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, CRED_FILE);
	set("AWS_ACCESS_KEY_ID", KEY_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.secret_access_key, SECRET_CRED);
	mlv_aws_release(&a);

	set("AWS_SECRET_ACCESS_KEY", "");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	mlv_aws_release(&a);

	unsetenv("AWS_ACCESS_KEY_ID");
	set("AWS_SECRET_ACCESS_KEY", SECRET_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.secret_access_key, SECRET_CRED);
	mlv_aws_release(&a);
}

/* Env credentials need no files at all. */
static void test_aws__env_only(void **state)
{
	struct mlv_aws a;

	(void)state;
	set("AWS_ACCESS_KEY_ID", KEY_ENV);
	set("AWS_SECRET_ACCESS_KEY", SECRET_ENV);
	set("AWS_SESSION_TOKEN", TOKEN_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_ENV);
	assert_string_equal(a.secret_access_key, SECRET_ENV);
	assert_string_equal(a.session_token, TOKEN_ENV);
	assert_string_equal(a.region, "us-east-1");
	assert_null(a.endpoint);
	mlv_aws_release(&a);
}

static void test_aws__profile_selects_sections(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, CRED_FILE);
	write_text(f->conf, CONF_FILE);
	set("AWS_PROFILE", "work");
	load(&a);
	assert_string_equal(a.profile, "work");
	/* [work] in credentials */
	assert_string_equal(a.access_key_id, KEY_WORK);
	assert_string_equal(a.secret_access_key, SECRET_WORK);
	/* [profile work] in config, not [work] */
	assert_string_equal(a.region, "ap-south-1");
	assert_string_equal(a.endpoint, "https://work.example");
	assert_contains(a.source, "'work'");
	assert_contains(a.source, f->cred);
	mlv_aws_release(&a);

	/* default: [default] in both files */
	unsetenv("AWS_PROFILE");
	load(&a);
	assert_string_equal(a.profile, "default");
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.region, "eu-west-1");
	assert_string_equal(a.endpoint, "https://default.example");
	mlv_aws_release(&a);
}

static void test_aws__profile_env_precedence(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, CRED_FILE);
	set("AWS_DEFAULT_PROFILE", "work");
	load(&a);
	assert_string_equal(a.profile, "work");
	assert_string_equal(a.access_key_id, KEY_WORK);
	mlv_aws_release(&a);

	set("AWS_PROFILE", "default");
	load(&a);
	assert_string_equal(a.profile, "default");
	assert_string_equal(a.access_key_id, KEY_CRED);
	mlv_aws_release(&a);

	/* an empty AWS_PROFILE is unset */
	set("AWS_PROFILE", "");
	load(&a);
	assert_string_equal(a.profile, "work");
	mlv_aws_release(&a);
}

static void test_aws__profile_missing(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, CRED_FILE);
	write_text(f->conf, CONF_FILE);
	set("AWS_PROFILE", "nosuch");
	load(&a);
	assert_string_equal(a.profile, "nosuch");
	/* no fallback to [default] */
	assert_null(a.access_key_id);
	assert_null(a.secret_access_key);
	assert_string_equal(a.region, "us-east-1");
	assert_null(a.endpoint);
	assert_contains(a.source, "'nosuch'");
	assert_contains(a.source, f->cred);
	mlv_aws_release(&a);
}

/* A profile name is matched whole: "work" is not "workshop" or "wor". */
static void test_aws__profile_exact_name(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "[workshop]\naws_access_key_id = A\naws_secret_access_key = B\n"
			    "[wor]\naws_access_key_id = C\naws_secret_access_key = D\n"
			    "[profile work]\naws_access_key_id = E\naws_secret_access_key = F\n");
	write_text(f->conf, "[profile workshop]\nregion = r1\n[profile wor]\nregion = r2\n"
			    "[profilework]\nregion = r3\n");
	set("AWS_PROFILE", "work");
	load(&a);
	assert_null(a.access_key_id);
	assert_string_equal(a.region, "us-east-1");
	mlv_aws_release(&a);
}

static void test_aws__credentials_from_config(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->conf, "[profile work]\naws_access_key_id = " KEY_CONF
			    "\naws_secret_access_key = " SECRET_CONF
			    "\naws_session_token = " TOKEN_CONF "\nregion = eu-north-1\n");
	set("AWS_PROFILE", "work");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CONF);
	assert_string_equal(a.secret_access_key, SECRET_CONF);
	assert_string_equal(a.session_token, TOKEN_CONF);
	assert_string_equal(a.region, "eu-north-1");
	assert_contains(a.source, f->conf);
	mlv_aws_release(&a);

	/* the credentials file wins over the config file */
	write_text(f->cred, CRED_FILE);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_WORK);
	assert_string_equal(a.secret_access_key, SECRET_WORK);
	assert_null(a.session_token);
	assert_contains(a.source, f->cred);
	mlv_aws_release(&a);
}

static void test_aws__session_token_from_file(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "[default]\naws_access_key_id = " KEY_CRED
			    "\naws_secret_access_key = " SECRET_CRED
			    "\naws_session_token = " TOKEN_CRED "\n");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.session_token, TOKEN_CRED);
	mlv_aws_release(&a);

	/* an env token alone does not join the file's keys */
	set("AWS_SESSION_TOKEN", TOKEN_ENV);
	load(&a);
	assert_string_equal(a.session_token, TOKEN_CRED);
	mlv_aws_release(&a);
}

/* Values are trimmed; comments and blank lines are fine; keys are exact. */
static void test_aws__file_syntax(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "# a comment\n"
			    "; another\n"
			    "\n"
			    "[default]\n"
			    "aws_access_key_id=" KEY_CRED "\n"
			    "aws_secret_access_key   =   " SECRET_CRED "   \n"
			    "aws_session_token =\n"
			    "AWS_ACCESS_KEY_ID = upper\n"
			    "unrelated_setting = 1\n");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.secret_access_key, SECRET_CRED);
	/* an empty value is kept as such */
	assert_non_null(a.session_token);
	assert_string_equal(a.session_token, "");
	mlv_aws_release(&a);
}

/*
 * An indented line continues the setting above it (the AWS CLI's nested
 * "s3 =" block): its endpoint_url is not the profile's endpoint_url.
 */
static void test_aws__nested_settings(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->conf, "[default]\n"
			    "s3 =\n"
			    "  endpoint_url = https://nested.example\n"
			    "  addressing_style = path\n"
			    "region = eu-west-2\n");
	load(&a);
	assert_null(a.endpoint);
	assert_string_equal(a.region, "eu-west-2");
	mlv_aws_release(&a);
}

/* The last of repeated keys wins, across repeated sections too. */
static void test_aws__repeated_keys(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "[default]\naws_access_key_id = first\n"
			    "aws_secret_access_key = s1\n"
			    "[other]\naws_access_key_id = other\n"
			    "[default]\naws_access_key_id = " KEY_CRED "\n");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.secret_access_key, "s1");
	mlv_aws_release(&a);
}

static void test_aws__region_precedence(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	load(&a);
	assert_string_equal(a.region, "us-east-1");
	mlv_aws_release(&a);

	write_text(f->conf, "[default]\nregion = eu-west-3\n");
	load(&a);
	assert_string_equal(a.region, "eu-west-3");
	mlv_aws_release(&a);

	set("AWS_DEFAULT_REGION", "ca-central-1");
	load(&a);
	assert_string_equal(a.region, "ca-central-1");
	mlv_aws_release(&a);

	set("AWS_REGION", "sa-east-1");
	load(&a);
	assert_string_equal(a.region, "sa-east-1");
	mlv_aws_release(&a);

	/* empty means unset */
	set("AWS_REGION", "");
	load(&a);
	assert_string_equal(a.region, "ca-central-1");
	mlv_aws_release(&a);
	set("AWS_DEFAULT_REGION", "");
	load(&a);
	assert_string_equal(a.region, "eu-west-3");
	mlv_aws_release(&a);
}

/* The region applies with env credentials too, and config beats credentials. */
static void test_aws__region_sources(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	write_text(f->cred, "[default]\nregion = from-credentials\n");
	write_text(f->conf, "[default]\nregion = from-config\n");
	set("AWS_ACCESS_KEY_ID", KEY_ENV);
	set("AWS_SECRET_ACCESS_KEY", SECRET_ENV);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_ENV);
	assert_string_equal(a.region, "from-config");
	mlv_aws_release(&a);
}

static void test_aws__endpoint_precedence(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a;

	load(&a);
	assert_null(a.endpoint);
	mlv_aws_release(&a);

	write_text(f->conf, "[default]\nendpoint_url = http://127.0.0.1:7480\n");
	load(&a);
	assert_string_equal(a.endpoint, "http://127.0.0.1:7480");
	mlv_aws_release(&a);

	set("AWS_ENDPOINT_URL", "http://generic.example:9000");
	load(&a);
	assert_string_equal(a.endpoint, "http://generic.example:9000");
	mlv_aws_release(&a);

	set("AWS_ENDPOINT_URL_S3", "https://s3only.example");
	load(&a);
	assert_string_equal(a.endpoint, "https://s3only.example");
	mlv_aws_release(&a);

	/* empty means unset */
	set("AWS_ENDPOINT_URL_S3", "");
	load(&a);
	assert_string_equal(a.endpoint, "http://generic.example:9000");
	mlv_aws_release(&a);
	set("AWS_ENDPOINT_URL", "");
	load(&a);
	assert_string_equal(a.endpoint, "http://127.0.0.1:7480");
	mlv_aws_release(&a);
}

/* Without the *_FILE variables, the files are $HOME/.aws/{credentials,config}. */
static void test_aws__home_files(void **state)
{
	struct fixture *f = *state;
	char path[160];
	struct mlv_aws a;

	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	set("AWS_CONFIG_FILE", "");
	load(&a);
	assert_null(a.access_key_id);
	snprintf(path, sizeof(path), "%s/.aws/credentials", f->home);
	assert_contains(a.source, path);
	mlv_aws_release(&a);

	snprintf(path, sizeof(path), "%s/.aws", f->home);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.aws/credentials", f->home);
	write_text(path, CRED_FILE);
	snprintf(path, sizeof(path), "%s/.aws/config", f->home);
	write_text(path, CONF_FILE);
	/* the fixture's files are not read any more */
	write_text(f->cred, "[default]\naws_access_key_id = no\naws_secret_access_key = no\n");
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_string_equal(a.region, "eu-west-1");
	snprintf(path, sizeof(path), "%s/.aws/credentials", f->home);
	assert_contains(a.source, path);
	mlv_aws_release(&a);
}

/* A broken file is an error naming the file and the line. */
static void test_aws__malformed_credentials(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a = MLV_AWS_INIT;
	char where[128];

	write_text(f->cred, "[default]\naws_access_key_id = " KEY_CRED "\n"
			    SECRET_CRED "\n"
			    "aws_secret_access_key = " SECRET_CRED "\n");
	mlv_error_clear();
	assert_int_equal(mlv_aws_load(&a), MLV_EINVALID);
	snprintf(where, sizeof(where), "%s:3:", f->cred);
	assert_contains(mlv_error_last(), where);
	/* the offending line may be a secret: it is not quoted */
	assert_no_secrets(mlv_error_last());
	assert_null(a.access_key_id);
	assert_null(a.secret_access_key);
	mlv_aws_release(&a);

	/* an unterminated section header */
	write_text(f->cred, "[default\naws_access_key_id = x\n");
	assert_int_equal(mlv_aws_load(&a), MLV_EINVALID);
	snprintf(where, sizeof(where), "%s:1:", f->cred);
	assert_contains(mlv_error_last(), where);
	mlv_aws_release(&a);

	/* even with the keys in the environment: the file is still wrong */
	write_text(f->cred, "[default]\n\nnot a setting\n");
	set("AWS_ACCESS_KEY_ID", KEY_ENV);
	set("AWS_SECRET_ACCESS_KEY", SECRET_ENV);
	assert_int_equal(mlv_aws_load(&a), MLV_EINVALID);
	assert_no_secrets(mlv_error_last());
	snprintf(where, sizeof(where), "%s:3:", f->cred);
	assert_contains(mlv_error_last(), where);
	mlv_aws_release(&a);
}

static void test_aws__malformed_config(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a = MLV_AWS_INIT;
	char where[128];

	write_text(f->cred, CRED_FILE);
	write_text(f->conf, "[default]\nregion = eu-west-1\n\n\ngarbage\n");
	assert_int_equal(mlv_aws_load(&a), MLV_EINVALID);
	snprintf(where, sizeof(where), "%s:5:", f->conf);
	assert_contains(mlv_error_last(), where);
	mlv_aws_release(&a);
}

static void test_aws__release(void **state)
{
	struct fixture *f = *state;
	struct mlv_aws a = MLV_AWS_INIT;

	/* releasing an empty or released struct is harmless */
	mlv_aws_release(&a);
	write_text(f->cred, "[default]\naws_access_key_id = " KEY_CRED
			    "\naws_secret_access_key = " SECRET_CRED
			    "\naws_session_token = " TOKEN_CRED "\n");
	set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
	load(&a);
	mlv_aws_release(&a);
	assert_null(a.profile);
	assert_null(a.access_key_id);
	assert_null(a.secret_access_key);
	assert_null(a.session_token);
	assert_null(a.region);
	assert_null(a.endpoint);
	assert_null(a.source);
	mlv_aws_release(&a);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/* STS and SSO session tokens run to a thousand bytes: longer than an
 * inih line, and still read whole. */
static void test_aws__long_session_token(void **state)
{
	struct fixture *f = *state;
	char token[1300], text[1500];
	struct mlv_aws a;

	memset(token, 'T', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	token[600] = '=';
	snprintf(text, sizeof(text),
		 "[default]\naws_access_key_id = " KEY_CRED "\n"
		 "aws_secret_access_key = " SECRET_CRED "\n"
		 "aws_session_token = %s\n[next]\nregion = x\n", token);
	write_text(f->cred, text);
	load(&a);
	assert_string_equal(a.access_key_id, KEY_CRED);
	assert_non_null(a.session_token);
	assert_string_equal(a.session_token, token);
	assert_null(strstr(a.source, "TTTT"));
	mlv_aws_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aws__long_session_token, setup, teardown),
		T(test_aws__nothing_anywhere),
		T(test_aws__empty_files),
		T(test_aws__default_profile_from_credentials),
		T(test_aws__env_keys_win),
		T(test_aws__env_keys_incomplete),
		T(test_aws__env_only),
		T(test_aws__profile_selects_sections),
		T(test_aws__profile_env_precedence),
		T(test_aws__profile_missing),
		T(test_aws__profile_exact_name),
		T(test_aws__credentials_from_config),
		T(test_aws__session_token_from_file),
		T(test_aws__file_syntax),
		T(test_aws__nested_settings),
		T(test_aws__repeated_keys),
		T(test_aws__region_precedence),
		T(test_aws__region_sources),
		T(test_aws__endpoint_precedence),
		T(test_aws__home_files),
		T(test_aws__malformed_credentials),
		T(test_aws__malformed_config),
		T(test_aws__release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
