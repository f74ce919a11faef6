/*
 * libFuzzer target for the sidecar parser: any bytes must give either a
 * parsed record or problems, never a crash, a leak or undefined behaviour.
 * What parses must format and parse again to the same entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlv_sidecar sc = MLV_SIDECAR_INIT, again = MLV_SIDECAR_INIT;
	struct mlv_problems problems = MLV_PROBLEMS_INIT;
	struct mlv_buf text = MLV_BUF_INIT;
	size_t i;

	if (mlv_sidecar_parse(&sc, &problems, "fuzz.mlv", (const char *)data, size) == 0) {
		mlv_sidecar_format(&text, &sc);
		mlv_problems_release(&problems);
		if (mlv_sidecar_parse(&again, &problems, "again.mlv", text.ptr, text.len))
			abort();
		if (again.n != sc.n)
			abort();
		for (i = 0; i < sc.n; i++)
			if (strcmp(sc.entries[i].key, again.entries[i].key) ||
			    strcmp(sc.entries[i].value, again.entries[i].value))
				abort();
	}
	mlv_sidecar_release(&sc);
	mlv_sidecar_release(&again);
	mlv_problems_release(&problems);
	mlv_buf_release(&text);
	return 0;
}
