/* git-lfs's local objects into the store: see mlv/lfs.h */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/error.h"
#include "mlv/lfs.h"
#include "mlv/progress.h"
#include "mlv/sha256.h"
#include "mlv/store.h"
#include "mlv/trace.h"
#include "mlv/util.h"

void mlv_lfs_objects_dir(struct mlv_buf *out, struct mlv_repo *r)
{
	struct mlv_buf storage = MLV_BUF_INIT;
	char *dir;

	if (!mlv_repo_config_string(&storage, r, "lfs.storage") || !storage.len)
		mlv_buf_sets(&storage, "lfs");
	/* a relative lfs.storage is relative to the common directory */
	dir = storage.ptr[0] == '/' ? mlv_xstrdup(storage.ptr) :
				      mlv_path_join(r->common_dir, storage.ptr);
	mlv_buf_clear(out);
	mlv_buf_printf(out, "%s/objects", dir);
	free(dir);
	mlv_buf_release(&storage);
}

int mlv_lfs_has(const char *dir, const char *oid)
{
	struct mlv_buf path = MLV_BUF_INIT;
	struct stat st;
	int there = mlv_store_object_path_in(&path, dir, oid) == 0 &&
		    stat(path.ptr, &st) == 0 && S_ISREG(st.st_mode);

	mlv_error_clear();
	mlv_buf_release(&path);
	return there;
}

struct importing {
	struct mlv_lfs_import *stats;
	struct mlv_repo *r;
	int dry_run;
	void (*bad)(const char *path, const char *why, void *payload);
	void *payload;
	struct mlv_progress progress;
};

/* Copy `path` into the store as `oid`, verified again on the way. */
static int copy_in(struct mlv_repo *r, const char *path, const char *oid)
{
	struct mlv_store_writer w = MLV_STORE_WRITER_INIT;
	struct mlv_pointer p;
	char chunk[65536];
	ssize_t n;
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		mlv_error_set_errno("cannot read '%s'", path);
		return MLV_ERROR;
	}
	if ((err = mlv_store_writer_open(&w, &r->store)) < 0)
		goto done;
	while ((n = mlv_read_retry(fd, chunk, sizeof(chunk))) > 0)
		if ((err = mlv_store_writer_write(&w, chunk, (size_t)n)) < 0)
			goto done;
	if (n < 0) {
		mlv_error_set_errno("cannot read '%s'", path);
		err = MLV_ERROR;
		goto done;
	}
	err = mlv_store_writer_commit(&w, &p, oid);
done:
	mlv_store_writer_abort(&w);
	close(fd);
	return err;
}

static int import_one(const char *path, const char *oid, const struct stat *st,
		      void *payload)
{
	struct importing *im = payload;
	struct mlv_buf dest = MLV_BUF_INIT;
	char hex[MLV_OID_HEXSZ + 1];
	unsigned long long size;
	int err = 0;

	mlv_progress_add(&im->progress, 1, (uint64_t)st->st_size);
	if (!oid) {
		im->stats->foreign++;
		im->bad(path, "not a git-lfs object", im->payload);
		return 0;
	}
	if (mlv_store_has(&im->r->store, oid)) {
		im->stats->present++;
		return 0;
	}
	if ((err = mlv_sha256_file(hex, &size, path)) < 0)
		return err;
	if (strcmp(hex, oid)) {
		im->stats->corrupt++;
		im->bad(path, "its content does not hash to its name", im->payload);
		return 0;
	}
	if (im->dry_run) {
		im->stats->linked++;
		im->stats->bytes += size;
		return 0;
	}
	if ((err = mlv_store_object_path(&dest, &im->r->store, oid)) < 0 ||
	    (err = mlv_mkdir_parents(dest.ptr)) < 0)
		goto done;
	/* a link appears whole at once, as a rename would */
	if (link(path, dest.ptr) == 0) {
		im->stats->linked++;
	} else if (errno == EEXIST) {
		im->stats->present++;
		goto done;
	} else if ((err = copy_in(im->r, path, oid)) == 0) {
		im->stats->copied++;
	} else {
		goto done;
	}
	im->stats->bytes += size;
	mlv_trace("lfs: took %s", oid);
done:
	mlv_buf_release(&dest);
	return err;
}

int mlv_lfs_import(struct mlv_lfs_import *stats, struct mlv_repo *r, const char *dir,
		   int dry_run, int quiet,
		   void (*bad)(const char *path, const char *why, void *payload),
		   void *payload)
{
	struct importing im = { stats, r, dry_run, bad, payload, { 0 } };
	int err;

	memset(stats, 0, sizeof(*stats));
	mlv_progress_start(&im.progress, "Taking git-lfs objects", 0, quiet);
	err = mlv_store_each_in(dir, import_one, &im);
	mlv_progress_stop(&im.progress);
	return err;
}
