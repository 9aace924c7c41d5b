/* The report reader on R2Gen/ARL annotation JSON (extract/readers.h). */
#include "fuzz.h"
#include "../extract/readers.h"

FUZZ_TARGET(json)
{
	return fuzz_report(data, size, FORMAT_JSON, "r.json");
}
