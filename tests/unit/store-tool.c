/*
 * A test-only client of a store's operations that no command reaches yet,
 * for the end-to-end tests (tests/e2e/t0083-store-ops.sh); never installed.
 *
 *   store-tool list URL PREFIX        one "KEY SIZE MTIME" line per key
 *   store-tool delete URL KEY...
 *   store-tool move URL FROM TO
 *   store-tool put URL FILE KEY...    FILE's bytes under each KEY
 *
 * MLV_TEST_PART_SIZE and MLV_TEST_COPY_PART_THRESHOLD (bytes) set the
 * backend's part size and the size from which a move copies in parts.
 * Exit 0, 2 when a key is not there (MLV_ENOTFOUND), 1 on other errors,
 * with the message on stderr.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlv/backend.h"
#include "mlv/error.h"

static int print_entry(void *ctx, const struct mlv_store_entry *e)
{
	(void)ctx;
	printf("%s %" PRIu64 " %" PRId64 "\n", e->key, e->size, e->mtime);
	return 0;
}

static int put_keys(struct mlv_conn *c, const char *file, char **keys, int n)
{
	struct stat st;
	int fd, i, err = 0;

	if ((fd = open(file, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
		mlv_error_set_errno("cannot read '%s'", file);
		if (fd >= 0)
			close(fd);
		return MLV_ERROR;
	}
	for (i = 0; i < n && err == 0; i++)
		err = mlv_conn_put_file(c, keys[i], fd, (uint64_t)st.st_size, NULL);
	close(fd);
	return err;
}

static void knob(uint64_t *field, const char *name)
{
	const char *v = getenv(name);

	if (v && *v)
		*field = strtoull(v, NULL, 10);
}

int main(int argc, char **argv)
{
	struct mlv_backend *b = NULL;
	struct mlv_conn *c = NULL;
	const char *verb = argc > 1 ? argv[1] : "";
	int i, err;

	if (argc < 4 || (!strcmp(verb, "list") && argc != 4) ||
	    (!strcmp(verb, "move") && argc != 5) ||
	    (!strcmp(verb, "put") && argc < 5) ||
	    (strcmp(verb, "list") && strcmp(verb, "delete") &&
	     strcmp(verb, "move") && strcmp(verb, "put"))) {
		fprintf(stderr, "usage: store-tool list URL PREFIX | delete URL KEY... "
				"| move URL FROM TO | put URL FILE KEY...\n");
		return 1;
	}
	if ((err = mlv_backend_open(&b, argv[2])) < 0 ||
	    (err = mlv_conn_open(&c, b)) < 0)
		goto done;
	knob(&b->part_size, "MLV_TEST_PART_SIZE");
	knob(&b->copy_part_threshold, "MLV_TEST_COPY_PART_THRESHOLD");
	if (!strcmp(verb, "list"))
		err = mlv_conn_list(c, argv[3], print_entry, NULL);
	else if (!strcmp(verb, "move"))
		err = mlv_conn_move(c, argv[3], argv[4]);
	else if (!strcmp(verb, "put"))
		err = put_keys(c, argv[3], argv + 4, argc - 4);
	else
		for (i = 3, err = 0; i < argc && err == 0; i++)
			err = mlv_conn_delete(c, argv[i]);
done:
	if (err < 0)
		fprintf(stderr, "store-tool: %s\n", mlv_error_last());
	mlv_conn_close(c);
	mlv_backend_free(b);
	if (fflush(stdout) != 0)
		return 1;
	return err == MLV_ENOTFOUND ? 2 : err < 0 ? 1 : 0;
}
