#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/aws.h"
#include "mlv/buf.h"
#include "mlv/error.h"
#include "mlv/ini.h"
#include "mlv/quote.h"
#include "mlv/util.h"

/* What one profile of one file says. */
struct profile_values {
	const char *want;    /* the section that holds the profile */
	int config_style;    /* "[profile name]" rather than "[name]" */
	char *access_key_id, *secret_access_key, *session_token;
	char *region, *endpoint;
	int file_found;    /* the file exists */
	int section_found; /* it has an entry in the profile's section */
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int section_is(const struct profile_values *pv, const char *section)
{
	if (!pv->config_style)
		return !strcmp(section, pv->want);
	if (!strcmp(pv->want, "default") && !strcmp(section, "default"))
		return 1;
	return !strncmp(section, "profile ", 8) &&
	       !strcmp(section + 8 + strspn(section + 8, " "), pv->want);
}

/* Session tokens run to a thousand bytes and more: ini.h reads them whole. */
static void take(char **slot, const char *value)
{
	free(*slot);
	*slot = mlv_xstrdup(value);
}

static int handle_entry(void *ctx, const char *section, const char *name,
			const char *value)
{
	struct profile_values *pv = ctx;

	if (!section_is(pv, section))
		return 1;
	pv->section_found = 1;
	if (!strcmp(name, "aws_access_key_id"))
		take(&pv->access_key_id, value);
	else if (!strcmp(name, "aws_secret_access_key"))
		take(&pv->secret_access_key, value);
	else if (!strcmp(name, "aws_session_token"))
		take(&pv->session_token, value);
	else if (!strcmp(name, "region"))
		take(&pv->region, value);
	else if (!strcmp(name, "endpoint_url"))
		take(&pv->endpoint, value);
	return 1;
}

static void profile_release(struct profile_values *pv)
{
	free(pv->access_key_id);
	free(pv->secret_access_key);
	free(pv->session_token);
	free(pv->region);
	free(pv->endpoint);
}

/* Read the profile from `path` (absent is fine). */
static int read_profile(struct profile_values *pv, const char *path)
{
	struct mlv_buf text = MLV_BUF_INIT;
	int rc, err;

	mlv_buf_init(&text, 1024 * 1024);
	if ((err = mlv_buf_read_file(&text, path)) == MLV_ENOTFOUND)
		return 0;
	if (err < 0) {
		mlv_buf_release(&text);
		return err;
	}
	pv->file_found = 1;
	rc = mlv_ini_parse(text.ptr, text.len, NULL, handle_entry, pv);
	mlv_buf_release(&text);
	if (rc > 0) {
		mlv_error_set("%s:%d: not an AWS configuration line", path, rc);
		return MLV_EINVALID;
	}
	return 0;
}

static char *aws_file(const char *env, const char *name)
{
	const char *v = env_nonempty(env), *home = env_nonempty("HOME");
	struct mlv_buf path = MLV_BUF_INIT;

	if (v)
		return mlv_xstrdup(v);
	mlv_buf_printf(&path, "%s/.aws/%s", home ? home : "", name);
	return mlv_buf_detach(&path);
}

/* Why `pv`, read from `path` (named by `env` when set), gave no keys:
 * appended to `out` as one item of the places looked in. */
static void say_why_not(struct mlv_buf *out, const struct profile_values *pv,
			const char *path, const char *env, const char *profile)
{
	mlv_buf_printf(out, "profile '%s' of '%s' (%s%s", mlv_quote_display(profile),
		       mlv_quote_display(path), env_nonempty(env) ? env : "",
		       env_nonempty(env) ? " names it: " : "");
	if (!pv->file_found)
		mlv_buf_puts(out, "no such file");
	else if (!pv->section_found)
		mlv_buf_printf(out, "no [%s%s] section", pv->config_style &&
			       strcmp(profile, "default") ? "profile " : "",
			       mlv_quote_display(profile));
	else if (!pv->access_key_id)
		mlv_buf_puts(out, "no aws_access_key_id");
	else
		mlv_buf_puts(out, "no aws_secret_access_key");
	mlv_buf_putc(out, ')');
}

/* The places mlv_aws_load() looked in for keys and found none, for the
 * error that says so: never a secret, only which names were missing. */
static void say_looked_in(struct mlv_buf *out, const struct profile_values *cred,
			  const char *cred_path, const struct profile_values *conf,
			  const char *conf_path, const char *profile)
{
	int id = env_nonempty("AWS_ACCESS_KEY_ID") != NULL;
	int secret = env_nonempty("AWS_SECRET_ACCESS_KEY") != NULL;

	mlv_buf_printf(out, "the environment (%s), ",
		       id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" :
		       secret ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" :
				"no AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY");
	say_why_not(out, cred, cred_path, "AWS_SHARED_CREDENTIALS_FILE", profile);
	mlv_buf_puts(out, ", ");
	say_why_not(out, conf, conf_path, "AWS_CONFIG_FILE", profile);
}

static char *first_of(const char *a, const char *b, const char *c)
{
	const char *v = a ? a : b ? b : c;

	return v ? mlv_xstrdup(v) : NULL;
}

/* Sign as this key (the token may be NULL). */
static void use_keys(struct mlv_aws *aws, const char *key_id,
		     const char *secret, const char *token)
{
	aws->access_key_id = mlv_xstrdup(key_id);
	aws->secret_access_key = mlv_xstrdup(secret);
	aws->session_token = token ? mlv_xstrdup(token) : NULL;
}

int mlv_aws_load(struct mlv_aws *aws)
{
	const char *profile = env_nonempty("AWS_PROFILE");
	char *cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	char *conf_path = aws_file("AWS_CONFIG_FILE", "config");
	struct profile_values cred = { 0 }, conf = { 0 };
	struct mlv_buf source = MLV_BUF_INIT;
	int err;

	memset(aws, 0, sizeof(*aws));
	if (!profile)
		profile = env_nonempty("AWS_DEFAULT_PROFILE");
	aws->profile = mlv_xstrdup(profile ? profile : "default");
	cred.want = conf.want = aws->profile;
	conf.config_style = 1;
	if ((err = read_profile(&cred, cred_path)) < 0 ||
	    (err = read_profile(&conf, conf_path)) < 0)
		goto done;

	if (env_nonempty("AWS_ACCESS_KEY_ID") && env_nonempty("AWS_SECRET_ACCESS_KEY")) {
		use_keys(aws, getenv("AWS_ACCESS_KEY_ID"),
			 getenv("AWS_SECRET_ACCESS_KEY"),
			 env_nonempty("AWS_SESSION_TOKEN"));
		mlv_buf_puts(&source, "the environment (AWS_ACCESS_KEY_ID)");
	} else if (cred.access_key_id && cred.secret_access_key) {
		use_keys(aws, cred.access_key_id, cred.secret_access_key,
			 cred.session_token);
		mlv_buf_printf(&source, "profile '%s' in '%s'", aws->profile,
			       cred_path);
	} else if (conf.access_key_id && conf.secret_access_key) {
		use_keys(aws, conf.access_key_id, conf.secret_access_key,
			 conf.session_token);
		mlv_buf_printf(&source, "profile '%s' in '%s'", aws->profile,
			       conf_path);
	} else {
		say_looked_in(&source, &cred, cred_path, &conf, conf_path,
			      aws->profile);
	}
	aws->source = mlv_buf_detach(&source);
	aws->region = first_of(env_nonempty("AWS_REGION"),
			       env_nonempty("AWS_DEFAULT_REGION"),
			       conf.region ? conf.region : cred.region);
	if (!aws->region)
		aws->region = mlv_xstrdup("us-east-1");
	aws->endpoint = first_of(env_nonempty("AWS_ENDPOINT_URL_S3"),
				 env_nonempty("AWS_ENDPOINT_URL"),
				 conf.endpoint ? conf.endpoint : cred.endpoint);
	err = 0;
done:
	profile_release(&cred);
	profile_release(&conf);
	mlv_buf_release(&source);
	free(cred_path);
	free(conf_path);
	return err;
}

void mlv_aws_release(struct mlv_aws *aws)
{
	free(aws->profile);
	free(aws->access_key_id);
	if (aws->secret_access_key) {
		/* do not leave the secret lying in freed memory */
		memset(aws->secret_access_key, 0, strlen(aws->secret_access_key));
		free(aws->secret_access_key);
	}
	free(aws->session_token);
	free(aws->region);
	free(aws->endpoint);
	free(aws->source);
	memset(aws, 0, sizeof(*aws));
}
