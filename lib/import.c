/* Files committed into Git made pointers, history rewritten: see mlv/import.h */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/attributes.h"
#include "mlv/convert.h"
#include "mlv/error.h"
#include "mlv/import.h"
#include "mlv/oidset.h"
#include "mlv/progress.h"
#include "mlv/run.h"
#include "mlv/util.h"

int mlv_import_matches(const char *pattern, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len = strlen(pattern);

	if (!strchr(pattern, '/'))
		return fnmatch(pattern, base ? base + 1 : path, 0) == 0;
	if (pattern[0] == '/')
		pattern++, len--;
	if (len >= 3 && !strcmp(pattern + len - 3, "/**"))
		return !strncmp(path, pattern, len - 2) && path[len - 2];
	return fnmatch(pattern, path, FNM_PATHNAME) == 0;
}

/* fast-export's stream, a line or a count of bytes at a time. */
struct reader {
	int fd;
	char buf[65536];
	size_t pos, len;
};

static int fill(struct reader *rd)
{
	ssize_t n = mlv_read_retry(rd->fd, rd->buf, sizeof(rd->buf));

	if (n < 0) {
		mlv_error_set_errno("cannot read from git fast-export");
		return MLV_ERROR;
	}
	rd->pos = 0;
	rd->len = (size_t)n;
	return n > 0;
}

/* A line without its LF into `line`: 1, or 0 at the end of the stream. */
static int read_line(struct reader *rd, struct mlv_buf *line)
{
	int err;

	mlv_buf_clear(line);
	for (;;) {
		char *lf;

		if (rd->pos == rd->len && (err = fill(rd)) <= 0)
			return err < 0 ? err : line->len > 0;
		lf = memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos);
		if (lf) {
			mlv_buf_put(line, rd->buf + rd->pos, (size_t)(lf - (rd->buf + rd->pos)));
			rd->pos = (size_t)(lf - rd->buf) + 1;
			return 1;
		}
		mlv_buf_put(line, rd->buf + rd->pos, rd->len - rd->pos);
		rd->pos = rd->len;
	}
}

struct importing {
	struct mlv_repo *r;
	const struct mlv_import_options *o;
	struct mlv_import_result *res;
	struct reader in;
	int out;
	struct mlv_buf pending; /* for fast-import, written in large pieces */
	struct mlv_oidset blobs, attrs; /* old blob -> new blob */
	git_oid attrs_alone;            /* .gitattributes for a commit that has none */
	int have_attrs_alone;
	/* the commit being copied */
	int in_commit, in_files, seen_attrs;
	size_t mark;
	char original[GIT_OID_HEXSZ + 1];
	/* mark -> original commit, for the map */
	char (*originals)[GIT_OID_HEXSZ + 1];
	size_t noriginals;
	struct mlv_progress progress;
};

static int flush_out(struct importing *im)
{
	if (!im->pending.len)
		return 0;
	if (mlv_write_all(im->out, im->pending.ptr, im->pending.len) < 0) {
		mlv_error_set_errno("cannot write to git fast-import");
		return MLV_ERROR;
	}
	mlv_buf_clear(&im->pending);
	return 0;
}

static int emit(struct importing *im, const char *data, size_t len)
{
	mlv_buf_put(&im->pending, data, len);
	return im->pending.len >= 65536 ? flush_out(im) : 0;
}

static int emit_line(struct importing *im, const struct mlv_buf *line)
{
	int err = emit(im, line->ptr, line->len);

	return err ? err : emit(im, "\n", 1);
}

/* `n` bytes of the stream through unchanged (a data command's payload). */
static int copy_bytes(struct importing *im, uint64_t n)
{
	int err;

	if ((err = flush_out(im)) < 0)
		return err;
	while (n) {
		size_t take;

		if (im->in.pos == im->in.len) {
			if ((err = fill(&im->in)) < 0)
				return err;
			if (!err) {
				mlv_error_set("git fast-export ended inside a data command");
				return MLV_ECORRUPT;
			}
		}
		take = im->in.len - im->in.pos;
		if (take > n)
			take = (size_t)n;
		if (mlv_write_all(im->out, im->in.buf + im->in.pos, take) < 0) {
			mlv_error_set_errno("cannot write to git fast-import");
			return MLV_ERROR;
		}
		im->in.pos += take;
		n -= take;
	}
	return 0;
}

/* A path as fast-export writes it: as it is, or C-quoted in "". */
static int unquote_path(struct mlv_buf *out, const char *s)
{
	mlv_buf_clear(out);
	if (*s != '"')
		return mlv_buf_puts(out, s);
	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			mlv_buf_putc(out, *s);
			continue;
		}
		switch (*++s) {
		case 'n': mlv_buf_putc(out, '\n'); break;
		case 't': mlv_buf_putc(out, '\t'); break;
		case 'r': mlv_buf_putc(out, '\r'); break;
		case 'a': mlv_buf_putc(out, '\a'); break;
		case 'b': mlv_buf_putc(out, '\b'); break;
		case 'f': mlv_buf_putc(out, '\f'); break;
		case 'v': mlv_buf_putc(out, '\v'); break;
		case '"': case '\\': mlv_buf_putc(out, *s); break;
		case '0': case '1': case '2': case '3':
			if (s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
				mlv_buf_putc(out, (char)(((s[0] - '0') << 6) | ((s[1] - '0') << 3) |
							 (s[2] - '0')));
				s += 2;
				break;
			}
			/* fall through */
		default:
			mlv_error_set("git fast-export wrote a path mlv cannot read: %s", s);
			return MLV_ECORRUPT;
		}
	}
	return 0;
}

/* The blob `old` as a pointer, its content stored first (once per blob). */
static int convert_blob(struct importing *im, const git_oid *old, git_oid *new_id)
{
	const git_oid *known = mlv_oidset_get(&im->blobs, old);
	struct mlv_buf pointer = MLV_BUF_INIT;
	struct mlv_clean c;
	git_blob *blob = NULL;
	const void *data;
	size_t size;
	int err;

	if (known) {
		*new_id = *known;
		return 0;
	}
	if ((err = git_blob_lookup(&blob, im->r->git, old)) < 0)
		return mlv_error_from_git(err, "cannot read a blob of history");
	data = git_blob_rawcontent(blob);
	size = (size_t)git_blob_rawsize(blob);
	mlv_clean_start(&c, &im->r->store);
	if ((err = mlv_clean_write(&c, data, size)) < 0 ||
	    (err = mlv_clean_finish(&pointer, &c)) < 0) {
		mlv_clean_abort(&c);
		goto done;
	}
	if (pointer.len == size && !memcmp(pointer.ptr, data, size)) {
		*new_id = *old; /* a pointer already */
	} else if ((err = git_blob_create_from_buffer(new_id, im->r->git, pointer.ptr,
						      pointer.len)) < 0) {
		err = mlv_error_from_git(err, "cannot write a pointer blob");
		goto done;
	} else {
		im->res->files++;
		im->res->bytes += size;
	}
	mlv_oidset_put(&im->blobs, old, new_id);
done:
	mlv_buf_release(&pointer);
	git_blob_free(blob);
	return err;
}

/* The root .gitattributes `old` (NULL: none) tracking every pattern. */
static int attributes_blob(struct importing *im, const git_oid *old, git_oid *new_id)
{
	struct mlv_attr_file f = MLV_ATTR_FILE_INIT;
	const git_oid *known = old ? mlv_oidset_get(&im->attrs, old) : NULL;
	git_blob *blob = NULL;
	size_t i;
	int err;

	if (known || (!old && im->have_attrs_alone)) {
		*new_id = known ? *known : im->attrs_alone;
		return 0;
	}
	if (old) {
		if ((err = git_blob_lookup(&blob, im->r->git, old)) < 0)
			return mlv_error_from_git(err, "cannot read a .gitattributes of history");
		mlv_buf_put(&f.text, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	}
	for (i = 0; i < im->o->npatterns; i++) {
		char *escaped = mlv_attr_escape_pattern(im->o->patterns[i]);

		mlv_attr_file_track(&f, escaped, 0);
		free(escaped);
	}
	if ((err = git_blob_create_from_buffer(new_id, im->r->git, f.text.ptr, f.text.len)) < 0)
		err = mlv_error_from_git(err, "cannot write a .gitattributes blob");
	else if (old)
		mlv_oidset_put(&im->attrs, old, new_id);
	else
		im->attrs_alone = *new_id, im->have_attrs_alone = 1;
	git_blob_free(blob);
	mlv_attr_file_release(&f);
	return err;
}

/* "M <mode> <sha1> <path>" of the commit being copied. */
static int filemodify(struct importing *im, const struct mlv_buf *line)
{
	struct mlv_buf path = MLV_BUF_INIT, out = MLV_BUF_INIT;
	const char *mode = line->ptr + 2, *ref = strchr(mode, ' '), *quoted;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid old, new_id;
	int err = 0, regular;

	quoted = ref ? strchr(ref + 1, ' ') : NULL;
	if (!quoted || quoted - ref - 1 != GIT_OID_HEXSZ ||
	    git_oid_fromstrn(&old, ref + 1, GIT_OID_HEXSZ) < 0)
		return emit_line(im, line); /* a submodule's or a mark: not ours */
	quoted++;
	if ((err = unquote_path(&path, quoted)) < 0)
		goto done;
	regular = !strncmp(mode, "100644 ", 7) || !strncmp(mode, "100755 ", 7);
	if (regular && !strcmp(path.ptr, ".gitattributes")) {
		im->seen_attrs = 1;
		err = attributes_blob(im, &old, &new_id);
	} else if (regular) {
		size_t i;

		for (i = 0; i < im->o->npatterns; i++)
			if (mlv_import_matches(im->o->patterns[i], path.ptr))
				break;
		if (i == im->o->npatterns) {
			err = emit_line(im, line);
			goto done;
		}
		err = convert_blob(im, &old, &new_id);
	} else {
		err = emit_line(im, line);
		goto done;
	}
	if (err < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), &new_id);
	mlv_buf_printf(&out, "M %.6s %s %s", mode, hex, quoted);
	err = emit_line(im, &out);
done:
	mlv_buf_release(&path);
	mlv_buf_release(&out);
	return err;
}

/* The blank line after a commit's files: add .gitattributes if it had none. */
static int end_commit(struct importing *im)
{
	struct mlv_buf out = MLV_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	int err = 0;

	if (!im->seen_attrs) {
		if ((err = attributes_blob(im, NULL, &id)) < 0)
			return err;
		git_oid_tostr(hex, sizeof(hex), &id);
		mlv_buf_printf(&out, "M 100644 %s .gitattributes", hex);
		err = emit_line(im, &out);
		mlv_buf_release(&out);
	}
	if (im->mark && im->original[0]) {
		if (im->mark >= im->noriginals) {
			size_t n = im->mark * 2 + 16;

			im->originals = mlv_xreallocarray(im->originals, n, sizeof(*im->originals));
			memset(im->originals + im->noriginals, 0,
			       (n - im->noriginals) * sizeof(*im->originals));
			im->noriginals = n;
		}
		memcpy(im->originals[im->mark], im->original, sizeof(im->original));
	}
	im->res->commits++;
	mlv_progress_add(&im->progress, 1, 0);
	im->in_commit = im->in_files = 0;
	return err;
}

static int filter_stream(struct importing *im)
{
	struct mlv_buf line = MLV_BUF_INIT;
	int err;

	while ((err = read_line(&im->in, &line)) > 0) {
		unsigned long long n;
		char *end;

		if (!strncmp(line.ptr, "data ", 5)) {
			n = strtoull(line.ptr + 5, &end, 10);
			if (*end) {
				mlv_error_set("git fast-export wrote '%s', which mlv cannot copy",
					      line.ptr);
				err = MLV_ECORRUPT;
				break;
			}
			if ((err = emit_line(im, &line)) < 0 || (err = copy_bytes(im, n)) < 0)
				break;
			continue;
		}
		if (im->in_commit && im->in_files) {
			if (!strncmp(line.ptr, "M ", 2)) {
				if ((err = filemodify(im, &line)) < 0)
					break;
				continue;
			}
			if (!line.len || strncmp(line.ptr, "D ", 2)) {
				if ((err = end_commit(im)) < 0)
					break;
			}
		} else if (im->in_commit) {
			if (!strncmp(line.ptr, "mark :", 6))
				im->mark = strtoul(line.ptr + 6, NULL, 10);
			else if (!strncmp(line.ptr, "original-oid ", 13))
				snprintf(im->original, sizeof(im->original), "%s", line.ptr + 13);
			else if (!strcmp(line.ptr, "deleteall"))
				im->in_files = 1;
		}
		if (!strncmp(line.ptr, "commit ", 7)) {
			im->in_commit = 1;
			im->in_files = im->seen_attrs = 0;
			im->mark = 0;
			im->original[0] = '\0';
		}
		if ((err = emit_line(im, &line)) < 0)
			break;
	}
	if (!err && im->in_commit && im->in_files)
		err = end_commit(im);
	if (!err)
		err = flush_out(im);
	mlv_buf_release(&line);
	return err;
}

/* The map, from fast-import's marks (":<mark> <new>") and ours. */
static int read_map(struct importing *im, const char *marks_path)
{
	struct mlv_buf text = MLV_BUF_INIT;
	char *line, *save = NULL;
	int err;

	if ((err = mlv_buf_read_file(&text, marks_path)) < 0)
		return err;
	for (line = strtok_r(text.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long mark;
		char *end;

		if (line[0] != ':')
			continue;
		mark = strtoul(line + 1, &end, 10);
		if (*end == ' ' && mark < im->noriginals && im->originals[mark][0])
			mlv_buf_printf(&im->res->map, "%s %s\n", im->originals[mark], end + 1);
	}
	mlv_buf_release(&text);
	return 0;
}

int mlv_import(struct mlv_import_result *res, struct mlv_repo *r,
	       const struct mlv_import_options *o)
{
	static const char *const export_args[] = {
		"git", "fast-export", "--no-data", "--full-tree", "--show-original-ids",
		"--signed-tags=warn-strip", "--tag-of-filtered-object=rewrite",
		"--reencode=no",
	};
	struct importing im;
	struct mlv_child export_child = { -1, -1, -1, "git", "" };
	struct mlv_child import_child = { -1, -1, -1, "git", "" };
	struct mlv_buf marks = MLV_BUF_INIT, marks_opt = MLV_BUF_INIT;
	const char **argv;
	size_t n = sizeof(export_args) / sizeof(export_args[0]), i;
	int err, rc_export, rc_import = 0, fd;

	memset(&im, 0, sizeof(im));
	im.r = r;
	im.o = o;
	im.res = res;
	im.out = -1;
	mlv_buf_printf(&marks, "%s/import-marks-XXXXXX", r->store.tmp);
	if ((err = mlv_mkdir_parents(marks.ptr)) < 0)
		return err;
	if ((fd = mkstemp(marks.ptr)) < 0) {
		mlv_error_set_errno("cannot create '%s'", marks.ptr);
		mlv_buf_release(&marks);
		return MLV_ERROR;
	}
	close(fd);
	mlv_buf_printf(&marks_opt, "--export-marks=%s", marks.ptr);

	argv = mlv_xreallocarray(NULL, n + o->nrevs + 2, sizeof(*argv));
	memcpy(argv, export_args, sizeof(export_args));
	for (i = 0; i < o->nrevs; i++)
		argv[n++] = o->revs[i];
	argv[n] = NULL;
	{
		const char *const import_argv[] = {
			"git", "fast-import", "--quiet", "--force", "--done", marks_opt.ptr, NULL
		};

		if ((err = mlv_child_start(&import_child, import_argv,
					   MLV_RUN_PIPE_IN)) < 0)
			goto done;
	}
	if ((err = mlv_child_start(&export_child, argv, MLV_RUN_PIPE_OUT | MLV_RUN_NO_STDIN)) < 0)
		goto done;
	im.in.fd = export_child.out;
	im.out = import_child.in;
	mlv_progress_start(&im.progress, "Rewriting commits", 0, o->quiet);
	err = filter_stream(&im);
	mlv_progress_stop(&im.progress);
	rc_export = mlv_child_wait(&export_child);
	if (!err && rc_export != 0) {
		mlv_error_set("git fast-export failed (exit %d); no ref was changed", rc_export);
		err = MLV_ERROR;
	}
	/* only a stream that ends in "done" moves refs (fast-import --done) */
	if (!err && mlv_write_all(import_child.in, "done\n", 5) < 0) {
		mlv_error_set_errno("cannot write to git fast-import");
		err = MLV_ERROR;
	}
	if (err < 0)
		kill(import_child.pid, SIGKILL);
done:
	if (export_child.pid >= 0) {
		kill(export_child.pid, SIGTERM);
		mlv_child_wait(&export_child);
	}
	rc_import = import_child.pid >= 0 ? mlv_child_wait(&import_child) : 0;
	if (!err && rc_import != 0) {
		mlv_error_set("git fast-import failed (exit %d)", rc_import);
		err = MLV_ERROR;
	}
	if (!err)
		err = read_map(&im, marks.ptr);
	unlink(marks.ptr);
	free(argv);
	free(im.originals);
	mlv_buf_release(&im.pending);
	mlv_oidset_release(&im.blobs);
	mlv_oidset_release(&im.attrs);
	mlv_buf_release(&marks);
	mlv_buf_release(&marks_opt);
	return err;
}

void mlv_import_result_release(struct mlv_import_result *res)
{
	mlv_buf_release(&res->map);
	memset(res, 0, sizeof(*res));
}
