/* The report reader on OpenI XML (extract/readers.h). */
#include "fuzz.h"
#include "../extract/readers.h"

FUZZ_TARGET(xml)
{
	return fuzz_report(data, size, FORMAT_XML, "r.xml");
}
