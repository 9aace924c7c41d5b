/* An image header, PNG or JPEG (link/image.h): sized, and, when small,
 * decoded as a picture of its links would be. */
#include "fuzz.h"
#include "../link/image.h"

#include <stdlib.h>

FUZZ_TARGET(image)
{
	const char *path = fuzz_write("image", data, size);
	int w, h;
	if (image_size(path, &w, &h) > 0 && (long)w * h <= 1L << 16) {
		uint8_t *rgb = image_decode_rgb(path, &w, &h);
		free(rgb);
	}
	return 0;
}
