/*
 * libFuzzer target for the pointer parser: whatever parses must format
 * back to exactly the same bytes (the format has one spelling), except the
 * written-out pointer of empty content, which formats as the empty file;
 * and nothing may read outside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/pointer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlv_buf text = MLV_BUF_INIT;
	struct mlv_pointer p;

	if (mlv_pointer_parse(&p, data, size) == 0) {
		mlv_pointer_format(&text, &p);
		if (p.size == 0 ? text.len != 0 :
				  text.len != size || memcmp(text.ptr, data, size))
			abort();
	}
	mlv_buf_release(&text);
	return 0;
}
