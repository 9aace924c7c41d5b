/* The report reader on a plain-text report (MIMIC-CXR style) (extract/readers.h). */
#include "fuzz.h"
#include "../extract/readers.h"

FUZZ_TARGET(text)
{
	return fuzz_report(data, size, FORMAT_TEXT, "r.txt");
}
