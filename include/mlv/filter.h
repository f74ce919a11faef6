#ifndef MLV_FILTER_H
#define MLV_FILTER_H

#include "mlv/repo.h"

/*
 * The long-running filter process (gitattributes(5), "Long Running Filter
 * Process"): handshake, capability negotiation, then clean and smudge
 * requests until git closes the pipe.
 *
 * A request that fails for one file answers status=error and the process
 * carries on; `report` is told why (path, message). A request for an
 * unknown command has its content drained and answers status=error.
 */
struct mlv_filter_options {
	int skip_smudge; /* leave pointers as they are (MLV_SKIP_SMUDGE) */
	void (*report)(const char *path, const char *message);
	/* the line to show before a store named by a committed file is used */
	void (*notice)(const char *message);
	/* at the end, unless git was run with -q, the one line that sums up
	 * the files downloaded, if any (NULL: not shown) */
	void (*summary)(const char *line);
};

/* Serve git on `in`/`out` until it closes `in`: 0, or a negative error
 * when the protocol breaks down. */
int mlv_filter_process_run(struct mlv_repo *repo,
			   const struct mlv_filter_options *opt, int in, int out);

#endif
