/*
 * The s3:// backend: AWS Signature V4 through libcurl (CURLOPT_AWS_SIGV4).
 *
 * What libcurl 7.88's signer needs from us:
 * - x-amz-content-sha256 is not added by curl: every request sets it (the
 *   object's oid for a whole-object PUT, so the server checks what
 *   arrived; the hash of the body for small bodies; UNSIGNED-PAYLOAD for
 *   multipart parts).
 * - The query string is signed as given, so it is sent canonical: sorted by
 *   name, RFC 3986 encoded, "uploads=" rather than "uploads".
 * - Every header in CURLOPT_HTTPHEADER is signed, so no header-removal
 *   entries ("Expect:"): one would be signed but never sent.
 * - Headers are signed in the wrong order when one's name begins
 *   another's (UploadPartCopy's x-amz-copy-source and -range): those
 *   requests are signed by sign_v4() here instead.
 * - A custom endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) is addressed
 *   path-style, http://host:port/bucket/key; AWS itself virtual-host style.
 *
 * ETags are kept unquoted: radosgw matches If-Match only against the
 * unquoted form, and AWS accepts both.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlv/aws.h"
#include "mlv/backend.h"
#include "mlv/error.h"
#include "mlv/quote.h"
#include "mlv/sha256.h"
#include "mlv/trace.h"
#include "mlv/util.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_ATTEMPTS 5
#define ERROR_BODY_MAX (64 * 1024)

struct s3_store {
	struct mlv_aws aws;
	char *bucket;
	char *prefix;   /* "" or "dir/" */
	char *base;     /* scheme://host[:port][/bucket], no trailing '/' */
	char *endpoint; /* scheme://host[:port], for messages */
	char *sigv4;    /* "aws:amz:<region>:s3" */
	char *userpwd;  /* "<key id>:<secret>" */
};

struct s3_conn {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* RFC 3986 percent-encoding of `s` into `out`, '/' kept when `keep_slash`. */
static void uri_encode(struct mlv_buf *out, const char *s, int keep_slash)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~' || (keep_slash && ch == '/'))
			mlv_buf_putc(out, (char)ch);
		else
			mlv_buf_printf(out, "%%%02X", ch);
	}
}

/*
 * S3's bucket naming rules: 3-63 characters of a-z, 0-9, '.' and '-',
 * starting and ending with a letter or digit, no "..", not an IPv4
 * address. The bucket becomes part of a host name, so a URL from a
 * repository's own files cannot steer requests anywhere else.
 */
static int bucket_is_valid(const char *bucket)
{
	size_t i, n = strlen(bucket);
	int dots = 0, digits_and_dots = 1;

	if (n < 3 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = bucket[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '-'))
			return 0;
		if (ch == '.' && (i == 0 || bucket[i - 1] == '.'))
			return 0;
		dots += ch == '.';
		if (!((ch >= '0' && ch <= '9') || ch == '.'))
			digits_and_dots = 0;
	}
	if (bucket[0] == '-' || bucket[0] == '.' || bucket[n - 1] == '-' ||
	    bucket[n - 1] == '.')
		return 0;
	return !(digits_and_dots && dots == 3);
}

static int s3_open(struct mlv_backend *b, const char *rest)
{
	struct s3_store *st = mlv_xmalloc(sizeof(*st));
	const char *slash = strchr(rest, '/');
	struct mlv_buf buf = MLV_BUF_INIT;
	int err;

	pthread_once(&curl_once, curl_start);
	memset(st, 0, sizeof(*st));
	b->impl = st;
	st->bucket = slash ? mlv_xstrndup(rest, (size_t)(slash - rest)) : mlv_xstrdup(rest);
	if (!*st->bucket) {
		mlv_error_set("store URL '%s' names no bucket (s3://bucket/prefix)",
			      b->url);
		return MLV_EINVALID;
	}
	if (!bucket_is_valid(st->bucket)) {
		mlv_error_set("store URL '%s': '%s' is not a valid S3 bucket name "
			      "(3-63 characters of a-z, 0-9, '.' and '-', starting "
			      "and ending with a letter or digit); nothing was sent",
			      b->url, st->bucket);
		return MLV_EINVALID;
	}
	/* the prefix, without leading or doubled slashes, ending in '/' */
	for (rest = slash ? slash + 1 : ""; *rest; rest++) {
		if (*rest == '/' && (!buf.len || buf.ptr[buf.len - 1] == '/'))
			continue;
		mlv_buf_putc(&buf, *rest);
	}
	if (buf.len && buf.ptr[buf.len - 1] != '/')
		mlv_buf_putc(&buf, '/');
	/* a '.' or '..' part would be resolved away by the HTTP client and
	 * reach another bucket than the one checked below */
	if (!strncmp(buf.ptr, "./", 2) || !strncmp(buf.ptr, "../", 3) ||
	    strstr(buf.ptr, "/./") || strstr(buf.ptr, "/../")) {
		mlv_error_set("store URL '%s': the prefix may not hold a '.' or '..' "
			      "part; nothing was sent", b->url);
		mlv_buf_release(&buf);
		return MLV_EINVALID;
	}
	st->prefix = mlv_buf_detach(&buf);

	if ((err = mlv_aws_load(&st->aws)) < 0)
		return err;
	if (!st->aws.access_key_id) {
		struct mlv_buf cmd = MLV_BUF_INIT;

		mlv_buf_puts(&cmd, "aws configure");
		if (strcmp(st->aws.profile, "default")) {
			mlv_buf_puts(&cmd, " --profile ");
			mlv_quote_shell(&cmd, st->aws.profile);
		}
		mlv_error_set("no AWS credentials for '%s': looked in %s; set "
			      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
			      "AWS_PROFILE to a profile that has keys, or write "
			      "keys into the profile with: %s",
			      b->url, st->aws.source, cmd.ptr);
		mlv_buf_release(&cmd);
		return MLV_EINVALID;
	}
	if (st->aws.endpoint) {
		size_t n = strlen(st->aws.endpoint);

		const char *host = strstr(st->aws.endpoint, "://"), *at, *path;

		while (n && st->aws.endpoint[n - 1] == '/')
			n--;
		st->endpoint = mlv_xstrndup(st->aws.endpoint, n);
		/* "user:pass@" in an endpoint means nothing to S3 (requests are
		 * signed with the keys) and must never be printed: drop it */
		if (host && (at = strchr(host + 3, '@')) &&
		    (!(path = strchr(host + 3, '/')) || at < path))
			memmove(st->endpoint + (host + 3 - st->aws.endpoint),
				st->endpoint + (at + 1 - st->aws.endpoint),
				strlen(st->endpoint + (at + 1 - st->aws.endpoint)) + 1);
		mlv_buf_printf(&buf, "%s/", st->endpoint);
		uri_encode(&buf, st->bucket, 0);
	} else if (strchr(st->bucket, '.')) {
		mlv_buf_printf(&buf, "https://s3.%s.amazonaws.com", st->aws.region);
		st->endpoint = mlv_xstrdup(buf.ptr);
		mlv_buf_putc(&buf, '/');
		uri_encode(&buf, st->bucket, 0);
	} else {
		mlv_buf_printf(&buf, "https://%s.s3.%s.amazonaws.com", st->bucket,
			       st->aws.region);
		st->endpoint = mlv_xstrdup(buf.ptr);
	}
	st->base = mlv_buf_detach(&buf);
	mlv_buf_printf(&buf, "aws:amz:%s:s3", st->aws.region);
	st->sigv4 = mlv_buf_detach(&buf);
	mlv_buf_printf(&buf, "%s:%s", st->aws.access_key_id,
		       st->aws.secret_access_key);
	st->userpwd = mlv_buf_detach(&buf);
	mlv_trace("s3: %s -> %s (region %s, key id %s from %s)", b->url, st->base,
		  st->aws.region, st->aws.access_key_id, st->aws.source);
	return 0;
}

static void s3_free(struct mlv_backend *b)
{
	struct s3_store *st = b->impl;

	if (!st)
		return;
	mlv_aws_release(&st->aws);
	free(st->bucket);
	free(st->prefix);
	free(st->base);
	free(st->endpoint);
	free(st->sigv4);
	if (st->userpwd) {
		memset(st->userpwd, 0, strlen(st->userpwd));
		free(st->userpwd);
	}
	free(st);
}

static int s3_conn_open(struct mlv_conn *c)
{
	struct s3_conn *sc = mlv_xmalloc(sizeof(*sc));

	memset(sc, 0, sizeof(*sc));
	if (!(sc->curl = curl_easy_init())) {
		free(sc);
		mlv_error_set("cannot start libcurl");
		return MLV_ERROR;
	}
	c->impl = sc;
	return 0;
}

static void s3_conn_close(struct mlv_conn *c)
{
	struct s3_conn *sc = c->impl;

	if (!sc)
		return;
	curl_easy_cleanup(sc->curl);
	free(sc);
}

/* One S3 request and what came back. */
struct s3_req {
	const char *method;
	const char *key;         /* under the prefix */
	int bucket_root;         /* a request to the bucket (a listing of
				  * `key`), not to an object */
	const char *query;       /* canonical query string, or NULL */
	const char *headers[2];  /* more header lines (signed), or NULL */
	const char *payload_sha; /* x-amz-content-sha256 */
	const char *if_match;    /* unquoted ETag; "*" sends If-None-Match */
	/* the body: `mem` when set, else `len` bytes of `fd` from `off` */
	const char *mem;
	int fd;
	uint64_t off, len;
	uint64_t range_from;     /* GET from this byte (0: whole) */
	mlv_write_fn sink;       /* where a 2xx body goes, else `body` */
	void *sink_ctx;
	struct mlv_buf *body;

	/* results */
	long status;
	char etag[128];
	uint64_t delivered;      /* body bytes given to the sink */
	uint64_t range_sent;     /* this attempt asked for bytes from here on */
	int sink_err;
	struct mlv_buf err_body;
	struct mlv_conn *conn;
	uint64_t sent;           /* upload position */
};

static size_t on_header(char *line, size_t size, size_t n, void *ctx)
{
	struct s3_req *r = ctx;
	size_t len = size * n, i = 5, j;

	if (len > 5 && !strncasecmp(line, "etag:", 5)) {
		while (i < len && (line[i] == ' ' || line[i] == '"'))
			i++;
		for (j = i; j < len && line[j] != '"' && line[j] != '\r' &&
			    line[j] != '\n';
		     j++)
			;
		if (j - i < sizeof(r->etag)) {
			memcpy(r->etag, line + i, j - i);
			r->etag[j - i] = '\0';
		}
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct s3_req *r = ctx;
	size_t len = size * n;
	long status = 0;

	curl_easy_getinfo(((struct s3_conn *)r->conn->impl)->curl,
			  CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		if (r->err_body.len < ERROR_BODY_MAX)
			mlv_buf_put(&r->err_body, data, len);
		return len;
	}
	if (r->sink) {
		if (status != 206 && r->range_sent) {
			/* the whole object again, not the rest we asked for */
			mlv_error_set("%s answered a ranged GET of '%s' with the "
				      "whole object",
				      r->conn->backend->url, r->key);
			r->sink_err = MLV_EPROTO;
			return 0;
		}
		if ((r->sink_err = r->sink(r->sink_ctx, data, len)) < 0)
			return 0; /* aborts the transfer */
		r->delivered += len;
		if (r->conn->on_bytes)
			r->conn->on_bytes(r->conn->on_bytes_ctx, len);
		return len;
	}
	if (r->body && mlv_buf_put(r->body, data, len) < 0) {
		r->sink_err = MLV_EINVALID;
		return 0;
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct s3_req *r = ctx;
	size_t want = size * n;
	ssize_t got;

	if (r->len - r->sent < want)
		want = (size_t)(r->len - r->sent);
	if (!want)
		return 0;
	if (r->mem) {
		memcpy(buf, r->mem + r->sent, want);
		got = (ssize_t)want;
	} else {
		do
			got = pread(r->fd, buf, want, (off_t)(r->off + r->sent));
		while (got < 0 && errno == EINTR);
		if (got <= 0)
			return CURL_READFUNC_ABORT;
	}
	r->sent += (uint64_t)got;
	if (r->conn->on_bytes && !r->mem)
		r->conn->on_bytes(r->conn->on_bytes_ctx, (uint64_t)got);
	return (size_t)got;
}

static int on_seek(void *ctx, curl_off_t offset, int origin)
{
	struct s3_req *r = ctx;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > r->len)
		return CURL_SEEKFUNC_CANTSEEK;
	r->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static void build_url(struct mlv_buf *url, struct s3_store *st,
		      const struct s3_req *r)
{
	mlv_buf_clear(url);
	mlv_buf_printf(url, "%s/", st->base);
	if (!r->bucket_root) {
		uri_encode(url, st->prefix, 1);
		uri_encode(url, r->key, 1);
	}
	if (r->query)
		mlv_buf_printf(url, "?%s", r->query);
}

/* Text between <tag> and </tag> in an XML body, "" when absent. */
static void xml_value(struct mlv_buf *out, const char *xml, const char *tag)
{
	struct mlv_buf open = MLV_BUF_INIT, close_tag = MLV_BUF_INIT;
	const char *a, *z;

	mlv_buf_clear(out);
	mlv_buf_printf(&open, "<%s>", tag);
	mlv_buf_printf(&close_tag, "</%s>", tag);
	if ((a = strstr(xml, open.ptr)) &&
	    (z = strstr(a + open.len, close_tag.ptr)))
		mlv_buf_put(out, a + open.len, (size_t)(z - a - open.len));
	mlv_buf_release(&open);
	mlv_buf_release(&close_tag);
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int retryable_status(long status, const char *code)
{
	return status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504 || !strcmp(code, "SlowDown") ||
	       !strcmp(code, "RequestTimeout") || !strcmp(code, "InternalError");
}

static void backoff(int attempt)
{
	/* 0.2 s, 0.4 s, 0.8 s, 1.6 s, with up to 50% jitter */
	unsigned ms = 200u << (attempt - 1);
	struct timespec ts;

	ms += (unsigned)(rand() % (int)(ms / 2 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * libcurl before 8.10 sorts the headers it signs as whole "name:value"
 * lines, so a header whose name begins another's ("x-amz-copy-source" of
 * "x-amz-copy-source-range", which UploadPartCopy sends) is signed after
 * it, where SigV4 puts it first, and the server computes another
 * signature (curl's pull request 14370). Such a request is signed here.
 */
static int curl_misorders(const struct curl_slist *headers)
{
	const struct curl_slist *a, *b;
	size_t na, nb;

	if (curl_version_info(CURLVERSION_NOW)->version_num >= 0x080a00)
		return 0;
	for (a = headers; a; a = a->next)
		for (b = headers; b; b = b->next) {
			na = strcspn(a->data, ":");
			nb = strcspn(b->data, ":");
			if (na < nb && !strncasecmp(a->data, b->data, na))
				return 1;
		}
	return 0;
}

static void hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
			const char *msg)
{
	unsigned char mac[32];
	unsigned int n = sizeof(mac);

	/* `out` may be the key: the answer goes there last */
	HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
	     strlen(msg), mac, &n);
	memcpy(out, mac, sizeof(mac));
	memset(mac, 0, sizeof(mac));
}

struct signed_header {
	char *name; /* lowercased */
	const char *value;
};

static int cmp_signed_header(const void *a, const void *b)
{
	return strcmp(((const struct signed_header *)a)->name,
		      ((const struct signed_header *)b)->name);
}

/*
 * AWS Signature V4 of a request to `url` with `headers` (each of them
 * signed, as libcurl does), appended to `headers` as x-amz-date and
 * Authorization.
 */
static struct curl_slist *sign_v4(struct curl_slist *headers,
				  const struct s3_store *st, const char *method,
				  const char *url, const char *payload_sha)
{
	struct signed_header h[16];
	struct mlv_buf canon = MLV_BUF_INIT, names = MLV_BUF_INIT;
	struct mlv_buf key = MLV_BUF_INIT, line = MLV_BUF_INIT;
	const char *host = strstr(url, "://") + 3, *path = strchr(host, '/');
	const char *query = strchr(path, '?');
	const struct curl_slist *l;
	char date[17], day[9], hex[MLV_OID_HEXSZ + 1];
	unsigned char k[32];
	char *host_value;
	size_t n = 0, i, j, host_len = (size_t)(path - host);
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	memcpy(day, date, 8);
	day[8] = '\0';
	/* Host as curl sends it: without the scheme's own port */
	if (!strncmp(url, "https:", 6) && host_len > 4 &&
	    !strncmp(path - 4, ":443", 4))
		host_len -= 4;
	else if (!strncmp(url, "http:", 5) && host_len > 3 &&
		 !strncmp(path - 3, ":80", 3))
		host_len -= 3;
	h[n].name = mlv_xstrdup("host");
	h[n++].value = host_value = mlv_xstrndup(host, host_len);
	h[n].name = mlv_xstrdup("x-amz-date");
	h[n++].value = date;
	for (l = headers; l && n < sizeof(h) / sizeof(*h); l = l->next) {
		size_t len = strcspn(l->data, ":");
		const char *v = l->data + len + (l->data[len] == ':');

		h[n].name = mlv_xstrndup(l->data, len);
		for (j = 0; j < len; j++)
			h[n].name[j] = (char)tolower((unsigned char)h[n].name[j]);
		while (*v == ' ')
			v++;
		h[n++].value = v;
	}
	qsort(h, n, sizeof(*h), cmp_signed_header);

	mlv_buf_printf(&canon, "%s\n%.*s\n%s\n", method,
		       (int)(query ? (size_t)(query - path) : strlen(path)), path,
		       query ? query + 1 : "");
	for (i = 0; i < n; i++) {
		mlv_buf_printf(&canon, "%s:%s\n", h[i].name, h[i].value);
		mlv_buf_printf(&names, "%s%s", i ? ";" : "", h[i].name);
	}
	mlv_buf_printf(&canon, "\n%s\n%s", names.ptr, payload_sha);
	mlv_sha256_buf(hex, canon.ptr, canon.len);
	mlv_buf_clear(&canon);
	mlv_buf_printf(&canon, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s",
		       date, day, st->aws.region, hex);

	mlv_buf_printf(&key, "AWS4%s", st->aws.secret_access_key);
	hmac_sha256(k, key.ptr, key.len, day);
	hmac_sha256(k, k, sizeof(k), st->aws.region);
	hmac_sha256(k, k, sizeof(k), "s3");
	hmac_sha256(k, k, sizeof(k), "aws4_request");
	hmac_sha256(k, k, sizeof(k), canon.ptr);
	for (i = 0; i < sizeof(k); i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);

	mlv_buf_printf(&line, "x-amz-date: %s", date);
	headers = curl_slist_append(headers, line.ptr);
	mlv_buf_clear(&line);
	mlv_buf_printf(&line,
		       "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/s3/"
		       "aws4_request, SignedHeaders=%s, Signature=%s",
		       st->aws.access_key_id, day, st->aws.region, names.ptr, hex);
	headers = curl_slist_append(headers, line.ptr);

	free(host_value);
	for (i = 0; i < n; i++)
		free(h[i].name);
	memset(key.ptr, 0, key.len);
	memset(k, 0, sizeof(k));
	mlv_buf_release(&key);
	mlv_buf_release(&canon);
	mlv_buf_release(&names);
	mlv_buf_release(&line);
	return headers;
}

static CURLcode perform_once(struct s3_conn *sc, struct s3_store *st,
			     struct s3_req *r)
{
	struct mlv_buf url = MLV_BUF_INIT, hdr = MLV_BUF_INIT;
	struct curl_slist *headers = NULL;
	CURL *curl = sc->curl;
	CURLcode rc = CURLE_OK;
	size_t i;

	curl_easy_reset(curl);
	build_url(&url, st, r);
	mlv_buf_printf(&hdr, "x-amz-content-sha256: %s", r->payload_sha);
	headers = curl_slist_append(headers, hdr.ptr);
	if (st->aws.session_token) {
		mlv_buf_clear(&hdr);
		mlv_buf_printf(&hdr, "x-amz-security-token: %s",
			       st->aws.session_token);
		headers = curl_slist_append(headers, hdr.ptr);
	}
	if (r->if_match) {
		mlv_buf_clear(&hdr);
		if (!strcmp(r->if_match, "*"))
			mlv_buf_puts(&hdr, "If-None-Match: *");
		else
			mlv_buf_printf(&hdr, "If-Match: %s", r->if_match);
		headers = curl_slist_append(headers, hdr.ptr);
	}
	for (i = 0; i < sizeof(r->headers) / sizeof(*r->headers); i++)
		if (r->headers[i])
			headers = curl_slist_append(headers, r->headers[i]);
	if (!strcmp(r->method, "POST"))
		/* not curl's form type: some servers would parse the XML away */
		headers = curl_slist_append(headers, "Content-Type: application/xml");
	r->range_sent = r->range_from + r->delivered;
	if (r->range_sent) {
		mlv_buf_clear(&hdr);
		mlv_buf_printf(&hdr, "Range: bytes=%llu-",
			       (unsigned long long)(r->range_from + r->delivered));
		headers = curl_slist_append(headers, hdr.ptr);
	}

	if (curl_misorders(headers)) {
		headers = sign_v4(headers, st, r->method, url.ptr, r->payload_sha);
	} else {
		/* without SigV4 curl would send the key as Basic auth: never */
		if (curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, st->sigv4) != CURLE_OK) {
			snprintf(sc->errbuf, sizeof(sc->errbuf),
				 "this libcurl cannot sign AWS requests (SigV4)");
			rc = CURLE_NOT_BUILT_IN;
			goto done;
		}
		curl_easy_setopt(curl, CURLOPT_USERPWD, st->userpwd);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url.ptr);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, sc->errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	/* big reads: fewer, larger writes to files and pipes downstream */
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 1024L * 1024L);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(r->method, "PUT")) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
	} else if (!strcmp(r->method, "POST")) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->len);
	} else if (strcmp(r->method, "GET")) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r->method);
	}
	if (!strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) {
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(curl, CURLOPT_READDATA, r);
		curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(curl, CURLOPT_SEEKDATA, r);
	}

	r->sent = 0;
	r->status = 0;
	r->etag[0] = '\0';
	mlv_buf_clear(&r->err_body);
	if (r->body && !r->sink)
		mlv_buf_clear(r->body);
	sc->errbuf[0] = '\0';
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	mlv_trace("s3: %s %s -> %ld%s%s", r->method, url.ptr, r->status,
		  rc ? " " : "", rc ? curl_easy_strerror(rc) : "");
done:
	curl_slist_free_all(headers);
	mlv_buf_release(&url);
	mlv_buf_release(&hdr);
	return rc;
}

/*
 * Run `r` with retries. 0 for a 2xx answer; otherwise the message says
 * what the server said, naming the object, the endpoint and the key id.
 */
static int perform(struct mlv_conn *c, struct s3_req *r)
{
	struct s3_store *st = c->backend->impl;
	struct s3_conn *sc = c->impl;
	struct mlv_buf code = MLV_BUF_INIT, msg = MLV_BUF_INIT;
	const char *hint = "";
	CURLcode rc = CURLE_OK;
	int attempt, err = MLV_ERROR;

	r->conn = c;
	mlv_buf_init(&r->err_body, 0);
	for (attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		if (attempt > 1)
			backoff(attempt - 1);
		r->sink_err = 0;
		rc = perform_once(sc, st, r);
		if (r->sink_err < 0) {
			err = r->sink_err;
			goto done;
		}
		if (rc != CURLE_OK) {
			if (retryable_curl(rc))
				continue;
			break;
		}
		xml_value(&code, r->err_body.ptr, "Code");
		if (r->status >= 200 && r->status <= 299) {
			err = 0;
			goto done;
		}
		if (!retryable_status(r->status, code.ptr))
			break;
	}

	if (rc != CURLE_OK) {
		mlv_error_set("cannot %s '%s%s' at %s: %s (endpoint %s%s)",
			      r->method, st->prefix, r->key, c->backend->url,
			      sc->errbuf[0] ? sc->errbuf : curl_easy_strerror(rc),
			      st->endpoint,
			      attempt > MAX_ATTEMPTS ? ", gave up after 5 attempts" : "");
		goto done;
	}
	xml_value(&msg, r->err_body.ptr, "Message");
	if (r->status == 404 && !strcmp(r->method, "HEAD"))
		mlv_buf_sets(&code, "NoSuchKey");
	if (r->status == 404 && (!code.len || !strcmp(code.ptr, "NoSuchKey"))) {
		mlv_error_set("'%s%s' is not in %s", st->prefix, r->key,
			      c->backend->url);
		err = MLV_ENOTFOUND;
		goto done;
	}
	if (r->status == 412 ||
	    (r->status == 409 && !strcmp(code.ptr, "ConditionalRequestConflict"))) {
		mlv_error_set("'%s%s' in %s was changed by someone else",
			      st->prefix, r->key, c->backend->url);
		err = MLV_ECONFLICT;
		goto done;
	}
	if (r->status == 403 || r->status == 401)
		hint = "; check the credentials";
	if (!strcmp(code.ptr, "SignatureDoesNotMatch"))
		hint = "; check the secret access key";
	else if (!strcmp(code.ptr, "InvalidAccessKeyId"))
		hint = "; the key id is not known there";
	else if (!strcmp(code.ptr, "NoSuchBucket"))
		hint = "; create the bucket first";
	mlv_error_set("%s '%s%s' at %s: HTTP %ld%s%s%s%s (endpoint %s, key id %s "
		      "from %s%s)",
		      r->method, st->prefix, r->key, c->backend->url, r->status,
		      code.len ? " " : "", code.ptr, msg.len ? ": " : "",
		      msg.ptr, st->endpoint, st->aws.access_key_id,
		      st->aws.source, hint);
	err = r->status == 400 ? MLV_EINVALID : MLV_ERROR;
done:
	mlv_buf_release(&code);
	mlv_buf_release(&msg);
	mlv_buf_release(&r->err_body);
	return err;
}

static void req_init(struct s3_req *r, const char *method, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->key = key;
	r->payload_sha = EMPTY_SHA256;
	r->fd = -1;
}

static int s3_head(struct mlv_conn *c, const char *key, uint64_t *size)
{
	struct s3_req r;
	curl_off_t len = -1;
	int err;

	req_init(&r, "HEAD", key);
	if ((err = perform(c, &r)) < 0)
		return err;
	curl_easy_getinfo(((struct s3_conn *)c->impl)->curl,
			  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	if (size)
		*size = len < 0 ? 0 : (uint64_t)len;
	return 0;
}

static int s3_get(struct mlv_conn *c, const char *key, uint64_t offset,
		  mlv_write_fn sink, void *ctx)
{
	struct s3_req r;

	req_init(&r, "GET", key);
	r.range_from = offset;
	r.sink = sink;
	r.sink_ctx = ctx;
	return perform(c, &r);
}

static int s3_get_buf(struct mlv_conn *c, const char *key, struct mlv_buf *out,
		      struct mlv_buf *etag)
{
	struct s3_req r;
	int err;

	req_init(&r, "GET", key);
	r.body = out;
	err = perform(c, &r);
	if (err == 0 && r.sink_err == 0 && etag)
		mlv_buf_sets(etag, r.etag);
	if (r.sink_err == MLV_EINVALID) {
		mlv_error_set("'%s' in %s is larger than %zu bytes", key,
			      c->backend->url, out->cap);
		return MLV_EINVALID;
	}
	return err;
}

/* Objects are written once: If-None-Match makes an existing one 412,
 * which is MLV_EEXISTS here (a store that ignores the header overwrites
 * the same bytes, which is harmless). */
static int put_whole(struct mlv_conn *c, const char *key, int fd,
		     uint64_t size, const char *sha256_hex)
{
	struct s3_req r;
	int err;

	req_init(&r, "PUT", key);
	r.payload_sha = sha256_hex ? sha256_hex : "UNSIGNED-PAYLOAD";
	r.fd = fd;
	r.len = size;
	r.if_match = c->replace ? NULL : "*";
	if ((err = perform(c, &r)) == MLV_ECONFLICT)
		err = MLV_EEXISTS;
	return err;
}

/* The size of the parts of a multipart upload or copy of `size` bytes:
 * the backend's, or larger when S3's limit of 10,000 parts needs it. */
static uint64_t part_size_for(const struct mlv_backend *b, uint64_t size)
{
	return size / b->part_size >= 10000 ? size / 9999 + 1 : b->part_size;
}

/* Begin a multipart upload of `key`: "uploadId=<id>" into `upload_query`. */
static int multipart_create(struct mlv_conn *c, const char *key,
			    struct mlv_buf *upload_query)
{
	struct mlv_buf body = MLV_BUF_INIT, id = MLV_BUF_INIT;
	struct s3_req r;
	int err;

	mlv_buf_init(&body, ERROR_BODY_MAX);
	req_init(&r, "POST", key);
	r.query = "uploads=";
	r.mem = "";
	r.body = &body;
	if ((err = perform(c, &r)) < 0)
		goto done;
	xml_value(&id, body.ptr, "UploadId");
	if (!id.len) {
		mlv_error_set("%s gave no UploadId for '%s'", c->backend->url, key);
		err = MLV_EPROTO;
		goto done;
	}
	mlv_buf_clear(upload_query);
	mlv_buf_puts(upload_query, "uploadId=");
	uri_encode(upload_query, id.ptr, 0);
done:
	mlv_buf_release(&body);
	mlv_buf_release(&id);
	return err;
}

/* Join the `parts` parts, whose ETags are `etags`, into `key`. */
static int multipart_complete(struct mlv_conn *c, const char *key,
			      const char *upload_query, char (*etags)[128],
			      unsigned parts)
{
	struct mlv_buf body = MLV_BUF_INIT, answer = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	struct s3_req r;
	unsigned i;
	int err;

	mlv_buf_init(&answer, ERROR_BODY_MAX);
	mlv_buf_puts(&body, "<CompleteMultipartUpload>");
	for (i = 0; i < parts; i++)
		mlv_buf_printf(&body,
			       "<Part><PartNumber>%u</PartNumber>"
			       "<ETag>\"%s\"</ETag></Part>",
			       i + 1, etags[i]);
	mlv_buf_puts(&body, "</CompleteMultipartUpload>");
	if ((err = mlv_sha256_buf(hex, body.ptr, body.len)) < 0)
		goto done;
	req_init(&r, "POST", key);
	r.query = upload_query;
	r.mem = body.ptr;
	r.len = body.len;
	r.payload_sha = hex;
	r.body = &answer;
	if ((err = perform(c, &r)) < 0)
		goto done;
	/* a 200 answer can still carry an error */
	if (strstr(answer.ptr, "<Error>")) {
		xml_value(&body, answer.ptr, "Code");
		mlv_error_set("%s could not complete the upload of '%s': %s",
			      c->backend->url, key, body.ptr);
		err = MLV_ERROR;
	}
done:
	mlv_buf_release(&body);
	mlv_buf_release(&answer);
	return err;
}

/* Abort a multipart upload that failed, keeping the message of why. */
static void multipart_abort(struct mlv_conn *c, const char *key,
			    const char *upload_query)
{
	char *msg = mlv_xstrdup(mlv_error_last());
	struct s3_req r;

	req_init(&r, "DELETE", key);
	r.query = upload_query;
	perform(c, &r);
	mlv_error_set("%s", msg);
	free(msg);
}

/* A multipart upload: parts go up `part_jobs` at a time, each thread on
 * its own connection; the first failure stops the others and aborts. */
struct multipart {
	struct mlv_backend *backend;
	const char *key;
	struct mlv_buf upload_query; /* "uploadId=..." */
	int fd;
	uint64_t size, part_size;
	unsigned parts, next;
	char (*etags)[128];
	pthread_mutex_t lock;
	int err;
	char *err_msg;
	mlv_bytes_fn on_bytes;
	void *on_bytes_ctx;
};

static void *part_worker(void *arg)
{
	struct multipart *mp = arg;
	struct mlv_conn *c = NULL;
	struct mlv_buf query = MLV_BUF_INIT;
	int err = mlv_conn_open(&c, mp->backend);

	if (err == 0)
		mlv_conn_on_bytes(c, mp->on_bytes, mp->on_bytes_ctx);
	for (;;) {
		struct s3_req r;
		unsigned part;

		pthread_mutex_lock(&mp->lock);
		if (err < 0 && mp->err == 0) {
			mp->err = err;
			mp->err_msg = mlv_xstrdup(mlv_error_last());
		}
		part = mp->err < 0 || mp->next >= mp->parts ? 0 : ++mp->next;
		pthread_mutex_unlock(&mp->lock);
		if (!part)
			break;
		mlv_buf_clear(&query);
		mlv_buf_printf(&query, "partNumber=%u&%s", part,
			       mp->upload_query.ptr);
		req_init(&r, "PUT", mp->key);
		r.query = query.ptr;
		r.payload_sha = "UNSIGNED-PAYLOAD";
		r.fd = mp->fd;
		r.off = (uint64_t)(part - 1) * mp->part_size;
		r.len = mp->size - r.off < mp->part_size ? mp->size - r.off :
							   mp->part_size;
		if ((err = perform(c, &r)) == 0)
			memcpy(mp->etags[part - 1], r.etag, sizeof(r.etag));
	}
	mlv_buf_release(&query);
	mlv_conn_close(c);
	return NULL;
}

static int put_multipart(struct mlv_conn *c, const char *key, int fd,
			 uint64_t size)
{
	struct mlv_backend *b = c->backend;
	struct multipart mp;
	pthread_t *threads = NULL;
	unsigned i, jobs, started = 0;
	int err;

	memset(&mp, 0, sizeof(mp));
	mlv_buf_init(&mp.upload_query, 0);
	pthread_mutex_init(&mp.lock, NULL);
	mp.backend = b;
	mp.key = key;
	mp.fd = fd;
	mp.size = size;
	mp.part_size = part_size_for(b, size);
	mp.parts = (unsigned)((size + mp.part_size - 1) / mp.part_size);
	mp.etags = mlv_xreallocarray(NULL, mp.parts, sizeof(*mp.etags));
	mp.on_bytes = c->on_bytes;
	mp.on_bytes_ctx = c->on_bytes_ctx;

	if ((err = multipart_create(c, key, &mp.upload_query)) < 0)
		goto done;

	jobs = b->part_jobs ? b->part_jobs : 1;
	if (jobs > mp.parts)
		jobs = mp.parts;
	threads = mlv_xreallocarray(NULL, jobs, sizeof(*threads));
	for (i = 0; i < jobs; i++, started++)
		if (pthread_create(&threads[i], NULL, part_worker, &mp)) {
			mlv_error_set("cannot start an upload thread");
			pthread_mutex_lock(&mp.lock);
			if (!mp.err) {
				mp.err = MLV_ERROR;
				mp.err_msg = mlv_xstrdup(mlv_error_last());
			}
			pthread_mutex_unlock(&mp.lock);
			break;
		}
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if ((err = mp.err) < 0) {
		mlv_error_set("%s", mp.err_msg);
		goto abort;
	}

	err = multipart_complete(c, key, mp.upload_query.ptr, mp.etags, mp.parts);
abort:
	if (err < 0)
		multipart_abort(c, key, mp.upload_query.ptr);
done:
	free(threads);
	free(mp.etags);
	free(mp.err_msg);
	pthread_mutex_destroy(&mp.lock);
	mlv_buf_release(&mp.upload_query);
	return err;
}

static int s3_put_file(struct mlv_conn *c, const char *key, int fd,
		       uint64_t size, const char *sha256_hex)
{
	if (size >= c->backend->multipart_threshold &&
	    size > c->backend->part_size)
		return put_multipart(c, key, fd, size);
	return put_whole(c, key, fd, size, sha256_hex);
}

static int s3_put_buf_cas(struct mlv_conn *c, const char *key, const void *data,
			  size_t len, const char *if_match, struct mlv_buf *etag)
{
	char hex[MLV_OID_HEXSZ + 1];
	struct s3_req r;
	int err;

	if ((err = mlv_sha256_buf(hex, data, len)) < 0)
		return err;
	req_init(&r, "PUT", key);
	r.payload_sha = hex;
	r.mem = data;
	r.len = len;
	r.if_match = if_match ? if_match : "*";
	if ((err = perform(c, &r)) == MLV_ENOTFOUND) {
		/* moto answers a failed If-Match on a deleted key with 404 */
		mlv_error_set("'%s' in %s was changed by someone else", key,
			      c->backend->url);
		err = MLV_ECONFLICT;
	}
	if (err < 0)
		return err;
	if (etag)
		mlv_buf_sets(etag, r.etag);
	return 0;
}

/* A listing's page can hold 1,000 keys of up to 1 KiB each, escaped. */
#define LIST_BODY_MAX (16 * 1024 * 1024)

/* One code point as UTF-8. */
static void put_utf8(struct mlv_buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		mlv_buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		mlv_buf_putc(out, (char)(0xc0 | (cp >> 6)));
		mlv_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		mlv_buf_putc(out, (char)(0xe0 | (cp >> 12)));
		mlv_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		mlv_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		mlv_buf_putc(out, (char)(0xf0 | (cp >> 18)));
		mlv_buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		mlv_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		mlv_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * XML text with its five named entities and its character references
 * (&#38; &#x26;) replaced, into `out`. MLV_EPROTO for any other '&'.
 */
static int xml_unescape(struct mlv_buf *out, const char *s)
{
	static const struct { const char *name; char ch; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' },
		{ "quot", '"' }, { "apos", '\'' },
	};
	const char *semi;
	unsigned long cp;
	char *end;
	size_t i, n;

	mlv_buf_clear(out);
	for (; *s; s++) {
		if (*s != '&') {
			mlv_buf_putc(out, *s);
			continue;
		}
		if (!(semi = strchr(s, ';')))
			return MLV_EPROTO;
		n = (size_t)(semi - s - 1);
		for (i = 0; i < sizeof(named) / sizeof(*named); i++)
			if (strlen(named[i].name) == n &&
			    !strncmp(s + 1, named[i].name, n))
				break;
		if (i < sizeof(named) / sizeof(*named)) {
			mlv_buf_putc(out, named[i].ch);
		} else if (s[1] == '#') {
			int hex = s[2] == 'x' || s[2] == 'X';
			const char *digits = s + 2 + hex;

			if (digits == semi || *digits == '-' || *digits == '+' ||
			    *digits == ' ')
				return MLV_EPROTO;
			errno = 0;
			cp = strtoul(digits, &end, hex ? 16 : 10);
			if (errno || end != semi || !cp || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return MLV_EPROTO;
			put_utf8(out, cp);
		} else {
			return MLV_EPROTO;
		}
		s = semi;
	}
	return 0;
}

/* "2026-12-04T21:00:00.000Z" (S3's LastModified, always UTC) as seconds
 * since the epoch. */
static int parse_time(int64_t *out, const char *s)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    !n)
		return MLV_EPROTO;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (strcmp(s, "Z") && strcmp(s, "+00:00"))
		return MLV_EPROTO;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return MLV_EPROTO;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Give `fn` the keys of one ListObjectsV2 page; the token of the next
 * page into `token`, empty after the last. */
static int list_page(struct mlv_conn *c, const char *xml, mlv_list_fn fn,
		     void *ctx, struct mlv_buf *token)
{
	struct s3_store *st = c->backend->impl;
	struct mlv_buf item = MLV_BUF_INIT, raw = MLV_BUF_INIT;
	struct mlv_buf key = MLV_BUF_INIT, val = MLV_BUF_INIT;
	size_t plen = strlen(st->prefix);
	struct mlv_store_entry e;
	const char *a, *z;
	char *end;
	int err = 0;

	for (a = xml; (a = strstr(a, "<Contents>")); a = z) {
		if (!(z = strstr(a, "</Contents>"))) {
			err = MLV_EPROTO;
			break;
		}
		mlv_buf_clear(&item);
		mlv_buf_put(&item, a, (size_t)(z - a));
		xml_value(&raw, item.ptr, "Key");
		if ((err = xml_unescape(&key, raw.ptr)) < 0)
			break;
		if (strncmp(key.ptr, st->prefix, plen)) {
			err = MLV_EPROTO; /* not what was asked for */
			break;
		}
		if (key.len == plen)
			continue; /* "prefix/" itself, as some tools make */
		xml_value(&val, item.ptr, "Size");
		errno = 0;
		e.size = strtoull(val.ptr, &end, 10);
		if (!val.len || *end || errno || val.ptr[0] == '-') {
			err = MLV_EPROTO;
			break;
		}
		xml_value(&val, item.ptr, "LastModified");
		if ((err = parse_time(&e.mtime, val.ptr)) < 0)
			break;
		e.key = key.ptr + plen;
		if ((err = fn(ctx, &e)) != 0)
			goto done; /* the caller's answer, as it is */
	}
	if (err < 0) {
		mlv_error_set("%s sent a listing that mlv cannot read (near key "
			      "'%s')", st->endpoint, mlv_quote_display(raw.ptr));
		goto done;
	}
	mlv_buf_clear(token);
	xml_value(&val, xml, "IsTruncated");
	if (!strcmp(val.ptr, "true")) {
		xml_value(&raw, xml, "NextContinuationToken");
		if (!raw.len || xml_unescape(token, raw.ptr) < 0) {
			mlv_error_set("%s sent a truncated listing without a "
				      "continuation token", st->endpoint);
			err = MLV_EPROTO;
		}
	}
done:
	mlv_buf_release(&item);
	mlv_buf_release(&raw);
	mlv_buf_release(&key);
	mlv_buf_release(&val);
	return err;
}

static int s3_list(struct mlv_conn *c, const char *prefix, mlv_list_fn fn,
		   void *ctx)
{
	struct s3_store *st = c->backend->impl;
	struct mlv_buf body, query = MLV_BUF_INIT, token = MLV_BUF_INIT;
	struct mlv_buf full = MLV_BUF_INIT;
	struct s3_req r;
	int err;

	mlv_buf_init(&body, LIST_BODY_MAX);
	mlv_buf_printf(&full, "%s%s", st->prefix, prefix);
	do {
		/* canonical: sorted by name, every value encoded */
		mlv_buf_clear(&query);
		if (token.len) {
			mlv_buf_puts(&query, "continuation-token=");
			uri_encode(&query, token.ptr, 0);
			mlv_buf_putc(&query, '&');
		}
		mlv_buf_puts(&query, "list-type=2");
		if (full.len) {
			mlv_buf_puts(&query, "&prefix=");
			uri_encode(&query, full.ptr, 0);
		}
		req_init(&r, "GET", prefix);
		r.bucket_root = 1;
		r.query = query.ptr;
		r.body = &body;
		if ((err = perform(c, &r)) == MLV_EINVALID && r.sink_err) {
			mlv_error_set("a listing of '%s' in %s is larger than %d "
				      "bytes a page", full.ptr, c->backend->url,
				      LIST_BODY_MAX);
		}
		if (err < 0 || (err = list_page(c, body.ptr, fn, ctx, &token)))
			break;
	} while (token.len);
	mlv_buf_release(&body);
	mlv_buf_release(&query);
	mlv_buf_release(&token);
	mlv_buf_release(&full);
	return err;
}

static int s3_delete(struct mlv_conn *c, const char *key)
{
	struct s3_req r;
	int err;

	req_init(&r, "DELETE", key);
	if ((err = perform(c, &r)) == MLV_ENOTFOUND)
		err = 0; /* AWS answers 204 either way; others 404 */
	return err;
}

/* The error a copy answered with HTTP 200 (S3 may, once it has begun):
 * 0 when the answer is none. */
static int copy_answer(struct mlv_conn *c, const char *from, const char *to,
		       const char *answer)
{
	struct s3_store *st = c->backend->impl;
	struct mlv_buf code = MLV_BUF_INIT;
	int err = 0;

	if (strstr(answer, "<Error>")) {
		xml_value(&code, answer, "Code");
		mlv_error_set("%s could not copy '%s%s' to '%s%s': %s (endpoint %s)",
			      c->backend->url, st->prefix, from, st->prefix, to,
			      code.len ? code.ptr : "an error without a code",
			      st->endpoint);
		err = !strcmp(code.ptr, "NoSuchKey") ? MLV_ENOTFOUND : MLV_ERROR;
	}
	mlv_buf_release(&code);
	return err;
}

/* "x-amz-copy-source: /bucket/prefix/from" into `out`. */
static void copy_source(struct mlv_buf *out, struct mlv_conn *c,
			const char *from)
{
	struct s3_store *st = c->backend->impl;

	mlv_buf_clear(out);
	mlv_buf_puts(out, "x-amz-copy-source: /");
	uri_encode(out, st->bucket, 0);
	mlv_buf_putc(out, '/');
	uri_encode(out, st->prefix, 1);
	uri_encode(out, from, 1);
}

static int move_missing(struct mlv_conn *c, const char *from, const char *to)
{
	struct s3_store *st = c->backend->impl;

	mlv_error_set("cannot move '%s%s' to '%s%s': '%s%s' is not in %s",
		      st->prefix, from, st->prefix, to, st->prefix, from,
		      c->backend->url);
	return MLV_ENOTFOUND;
}

/* CopyObject: `from` to `to` in one request, for up to 5 GiB. */
static int copy_whole(struct mlv_conn *c, const char *from, const char *to)
{
	struct mlv_buf src = MLV_BUF_INIT, answer;
	struct s3_req r;
	int err;

	mlv_buf_init(&answer, ERROR_BODY_MAX);
	copy_source(&src, c, from);
	req_init(&r, "PUT", to);
	r.headers[0] = src.ptr;
	r.mem = "";
	r.body = &answer;
	if ((err = perform(c, &r)) == 0)
		err = copy_answer(c, from, to, answer.ptr);
	if (err == MLV_ENOTFOUND)
		err = move_missing(c, from, to);
	mlv_buf_release(&src);
	mlv_buf_release(&answer);
	return err;
}

/* UploadPartCopy of `size` bytes of `from`, part after part, into a
 * multipart upload of `to`, aborted on failure. */
static int copy_multipart(struct mlv_conn *c, const char *from, const char *to,
			  uint64_t size)
{
	uint64_t part_size = part_size_for(c->backend, size), off, last;
	unsigned parts = (unsigned)((size + part_size - 1) / part_size), i;
	struct mlv_buf upload = MLV_BUF_INIT, query = MLV_BUF_INIT;
	struct mlv_buf src = MLV_BUF_INIT, range = MLV_BUF_INIT;
	struct mlv_buf answer, val = MLV_BUF_INIT, etag = MLV_BUF_INIT;
	char (*etags)[128] = mlv_xreallocarray(NULL, parts, sizeof(*etags));
	struct s3_req r;
	int err;

	mlv_buf_init(&answer, ERROR_BODY_MAX);
	copy_source(&src, c, from);
	if ((err = multipart_create(c, to, &upload)) < 0)
		goto done;
	for (i = 0; i < parts; i++) {
		off = (uint64_t)i * part_size;
		last = (off + part_size < size ? off + part_size : size) - 1;
		mlv_buf_clear(&query);
		mlv_buf_printf(&query, "partNumber=%u&%s", i + 1, upload.ptr);
		mlv_buf_clear(&range);
		mlv_buf_printf(&range, "x-amz-copy-source-range: bytes=%llu-%llu",
			       (unsigned long long)off, (unsigned long long)last);
		req_init(&r, "PUT", to);
		r.query = query.ptr;
		r.headers[0] = src.ptr;
		r.headers[1] = range.ptr;
		r.mem = "";
		r.body = &answer;
		if ((err = perform(c, &r)) < 0 ||
		    (err = copy_answer(c, from, to, answer.ptr)) < 0)
			break;
		/* the part's ETag is in the answer: quoted by AWS (as &quot;
		 * or '"'), bare from radosgw */
		xml_value(&val, answer.ptr, "ETag");
		if (xml_unescape(&etag, val.ptr) == 0 && etag.len >= 2 &&
		    etag.ptr[0] == '"' && etag.ptr[etag.len - 1] == '"') {
			mlv_buf_truncate(&etag, etag.len - 1);
			memmove(etag.ptr, etag.ptr + 1, etag.len);
			etag.len--;
		}
		if (!etag.len || etag.len >= sizeof(*etags) || strchr(etag.ptr, '"')) {
			mlv_error_set("%s answered the copy of part %u of '%s' "
				      "to '%s' without an ETag",
				      c->backend->url, i + 1, from, to);
			err = MLV_EPROTO;
			break;
		}
		memcpy(etags[i], etag.ptr, etag.len + 1);
	}
	if (err == 0)
		err = multipart_complete(c, to, upload.ptr, etags, parts);
	if (err == MLV_ENOTFOUND)
		err = move_missing(c, from, to);
	if (err < 0)
		multipart_abort(c, to, upload.ptr);
done:
	free(etags);
	mlv_buf_release(&upload);
	mlv_buf_release(&query);
	mlv_buf_release(&src);
	mlv_buf_release(&range);
	mlv_buf_release(&answer);
	mlv_buf_release(&val);
	mlv_buf_release(&etag);
	return err;
}

/* A server-side copy, then the delete of `from`: the bytes are under one
 * key or both at every moment. */
static int s3_move(struct mlv_conn *c, const char *from, const char *to)
{
	uint64_t size = 0;
	int err;

	if ((err = s3_head(c, from, &size)) == MLV_ENOTFOUND)
		return move_missing(c, from, to);
	if (err < 0)
		return err;
	if (!strcmp(from, to))
		return 0; /* a copy onto itself, then a delete, would lose it */
	if (size >= c->backend->copy_part_threshold && size > 0)
		err = copy_multipart(c, from, to, size);
	else
		err = copy_whole(c, from, to);
	return err < 0 ? err : s3_delete(c, from);
}

const struct mlv_backend_ops mlv_backend_s3 = {
	"s3",
	s3_open,
	s3_free,
	s3_conn_open,
	s3_conn_close,
	s3_head,
	s3_get,
	s3_get_buf,
	s3_put_file,
	s3_put_buf_cas,
	NULL, /* an unfinished multipart upload is no object; gc aborts them */
	s3_list,
	s3_delete,
	s3_move,
};
