#ifndef MLV_AWS_H
#define MLV_AWS_H

/*
 * Where S3 requests go and whom they are signed as, found the way the AWS
 * CLI and SDKs find it:
 *
 *   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *                else the profile in AWS_SHARED_CREDENTIALS_FILE
 *                (~/.aws/credentials), else in AWS_CONFIG_FILE (~/.aws/config)
 *   profile      AWS_PROFILE, else "default"; "[name]" in the credentials
 *                file, "[profile name]" (or "[default]") in the config file
 *   region       AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`,
 *                else us-east-1
 *   endpoint     AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
 *                `endpoint_url`, else AWS itself
 *
 * The secret is held only to sign requests: never print or trace it.
 */
struct mlv_aws {
	char *profile;
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when none */
	char *region;
	char *endpoint;      /* NULL: AWS's own endpoint for the region */
	/* where the credentials came from, for messages; without them,
	 * every place looked in and what it lacked */
	char *source;
};

#define MLV_AWS_INIT { 0 }

/*
 * Fill `aws` from the environment and the AWS files. Missing credentials
 * are not an error here (access_key_id stays NULL); a file that exists but
 * cannot be parsed is, naming the file and line.
 */
int mlv_aws_load(struct mlv_aws *aws);
void mlv_aws_release(struct mlv_aws *aws);

#endif
