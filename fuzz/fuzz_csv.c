/* The report reader on CSV with a header (extract/readers.h). */
#include "fuzz.h"
#include "../extract/readers.h"

FUZZ_TARGET(csv)
{
	return fuzz_report(data, size, FORMAT_CSV, "r.csv");
}
