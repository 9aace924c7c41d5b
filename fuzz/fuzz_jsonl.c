/* The report reader on JSON Lines (extract/readers.h). */
#include "fuzz.h"
#include "../extract/readers.h"

FUZZ_TARGET(jsonl)
{
	return fuzz_report(data, size, FORMAT_JSONL, "r.jsonl");
}
