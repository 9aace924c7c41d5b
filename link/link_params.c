#include "link_params.h"
#include "grid.h"
#include "../common/util.h"

#include <stddef.h>
#include <string.h>

#define L(field) offsetof(struct link_options, field)
/* what the stage stores depends on it */
#define SETTING (PARAM_CLI | PARAM_CONF | PARAM_KEY)

static const struct param rows[] = {
	P_PATH("image-list", L(image_list), "CSV",
	       "images of the reports: report_id,image_path,view (or the\n"
	       "IU X-ray projections.csv: uid,filename,projection)", SETTING | PARAM_FILE,
	       .key = "images"),
	P_PATH("images", L(images_dir), "DIR",
	       "read width and height from the PNG/JPEG headers of the\n"
	       "images found in DIR (by path, name, or name + .png/.jpg)", SETTING | PARAM_DIR,
	       .key = "images_dir"),
	P_PATH("boxes", L(boxes), "CSV",
	       "per-image region boxes in pixels:\n"
	       "image_id,region,x1,y1,x2,y2; they replace the atlas", SETTING | PARAM_FILE),
	P_INT("grid", L(grid), 0, GRID_MAX, "N",
	      "patches per side (288-pixel images, 16-pixel patches:\n"
	      "18); 0: regions only", SETTING),
	P_BOOL("assume-frontal", L(assume_frontal),
	       "images of unknown view use the frontal atlas (else\n"
	       "they map to the whole image)", SETTING),
	P_PATH("lexicon", L(lexicon), "FILE", "anatomy and finding-site lexicon",
	       SETTING | PARAM_FILE, .def = "built in: data/lexicon/anatomy.txt"),
	/* not in the stage key: a run that succeeds without it stores what a
	 * lenient run stores */
	P_BOOL("lenient", L(lenient),
	       "skip images whose header cannot be read or that are over\n"
	       "16384 x 16384 pixels (counted) instead of failing", PARAM_CLI | PARAM_CONF),
	P_BOOL("regrid", L(regrid), "recompute every patch set on a new grid", PARAM_CLI),
	P_BOOL("replace", L(replace), "drop every link and link everything again", PARAM_CLI),
};

static void defaults(void *p)
{
	struct link_options *o = p;
	memset(o, 0, sizeof(*o));
	o->grid = 18;
}

const struct param_table link_param_table = { "link", rows, ARRAY_SIZE(rows),
					      sizeof(struct link_options), defaults };
