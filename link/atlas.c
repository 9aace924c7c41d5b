#include "atlas.h"

#include <string.h>

/* Boxes: patient's right = image left. The left-side regions mirror the
 * right ones (x -> 1 - x), except that the left lung and its lower zone,
 * costophrenic angle and hemidiaphragm sit a little lower (the heart pushes
 * the left hemidiaphragm down). The midline regions follow the trachea,
 * spine and heart. */
const struct atlas_region atlas[ATLAS_N] = {
	/* 0 */ { "right lung", 'R', 8, 0.08f, 0.10f, 0.49f, 0.80f },
	/* 1 */ { "right upper lung zone", 'R', 9, 0.10f, 0.10f, 0.48f, 0.36f },
	/* 2 */ { "right mid lung zone", 'R', 10, 0.08f, 0.36f, 0.48f, 0.56f },
	/* 3 */ { "right lower lung zone", 'R', 11, 0.08f, 0.56f, 0.48f, 0.80f },
	/* 4 */ { "right hilar structures", 'R', 12, 0.33f, 0.34f, 0.46f, 0.54f },
	/* 5 */ { "right apical zone", 'R', 13, 0.13f, 0.10f, 0.44f, 0.22f },
	/* 6 */ { "right costophrenic angle", 'R', 14, 0.07f, 0.68f, 0.21f, 0.82f },
	/* 7 */ { "right hemidiaphragm", 'R', 15, 0.08f, 0.68f, 0.48f, 0.86f },
	/* 8 */ { "left lung", 'L', 0, 0.51f, 0.10f, 0.92f, 0.82f },
	/* 9 */ { "left upper lung zone", 'L', 1, 0.52f, 0.10f, 0.90f, 0.36f },
	/* 10 */ { "left mid lung zone", 'L', 2, 0.52f, 0.36f, 0.92f, 0.57f },
	/* 11 */ { "left lower lung zone", 'L', 3, 0.52f, 0.57f, 0.92f, 0.82f },
	/* 12 */ { "left hilar structures", 'L', 4, 0.54f, 0.33f, 0.67f, 0.53f },
	/* 13 */ { "left apical zone", 'L', 5, 0.56f, 0.10f, 0.87f, 0.22f },
	/* 14 */ { "left costophrenic angle", 'L', 6, 0.79f, 0.70f, 0.93f, 0.84f },
	/* 15 */ { "left hemidiaphragm", 'L', 7, 0.52f, 0.70f, 0.92f, 0.88f },
	/* 16 */ { "trachea", 0, -1, 0.46f, 0.00f, 0.54f, 0.30f },
	/* 17 */ { "spine", 0, -1, 0.44f, 0.00f, 0.56f, 1.00f },
	/* 18 */ { "right clavicle", 'R', 19, 0.10f, 0.12f, 0.47f, 0.24f },
	/* 19 */ { "left clavicle", 'L', 18, 0.53f, 0.12f, 0.90f, 0.24f },
	/* 20 */ { "aortic arch", 0, -1, 0.50f, 0.22f, 0.62f, 0.34f },
	/* 21 */ { "mediastinum", 0, -1, 0.37f, 0.10f, 0.65f, 0.78f },
	/* 22 */ { "upper mediastinum", 0, -1, 0.40f, 0.10f, 0.62f, 0.36f },
	/* 23 */ { "svc", 0, -1, 0.40f, 0.20f, 0.48f, 0.42f },
	/* 24 */ { "cardiac silhouette", 0, -1, 0.36f, 0.42f, 0.73f, 0.78f },
	/* 25 */ { "cavoatrial junction", 0, -1, 0.40f, 0.40f, 0.48f, 0.47f },
	/* 26 */ { "right atrium", 0, -1, 0.36f, 0.45f, 0.49f, 0.72f },
	/* 27 */ { "carina", 0, -1, 0.46f, 0.27f, 0.54f, 0.35f },
	/* 28 */ { "abdomen", 0, -1, 0.04f, 0.82f, 0.96f, 1.00f },
	/* 29 */ { "whole image", 0, -1, 0.00f, 0.00f, 1.00f, 1.00f },
};

/* Bits 0-7 and 18 are the right-side regions, 8-15 and 19 the left. The
 * right atrium is a midline structure here: "right" names it, not its side. */
const regmask ATLAS_RIGHT = 0x000000ffu | (1u << 18);
const regmask ATLAS_LEFT = 0x0000ff00u | (1u << 19);

int atlas_find(const char *name, size_t len)
{
	for (int i = 0; i < ATLAS_N; i++)
		if (strlen(atlas[i].name) == len && !memcmp(atlas[i].name, name, len))
			return i;
	return -1;
}

int atlas_sideable(regmask m)
{
	return (m & ATLAS_RIGHT) && (m & ATLAS_LEFT);
}

regmask atlas_apply_side(regmask m, enum side s)
{
	if (!atlas_sideable(m))
		return m;
	if (s == SIDE_RIGHT)
		return m & ~ATLAS_LEFT;
	if (s == SIDE_LEFT)
		return m & ~ATLAS_RIGHT;
	return m;
}
