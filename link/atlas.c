#include "atlas.h"

#include <ctype.h>
#include <string.h>

/* Boxes: patient's right = image left. The left-side regions mirror the
 * right ones (x -> 1 - x), except that the left lung and its lower zone,
 * costophrenic angle and hemidiaphragm sit a little lower (the heart pushes
 * the left hemidiaphragm down). The midline regions follow the trachea,
 * spine and heart.
 *
 * Checked against the 492 boxes radiologists drew on ChestX-ray14 frontal
 * images (../shared/data/regions/nih_bbox_dev.csv, bench/pointing.sh), three
 * things were off and are corrected (the rest agreed: chest walls at
 * 0.08 / 0.92, bases at 0.80 / 0.82, the heart):
 *   - the apices are higher than 0.10: pneumothorax boxes, which reach the
 *     apex, start at 0.047 (10th percentile) and 0.087 (25th), so the lungs,
 *     upper and apical zones start at 0.07;
 *   - the zones are cut where the hila are, as radiologists name them (upper
 *     zone above the hila, mid zone at their level, lower zone below): the
 *     hilar boxes start at 0.33-0.34, so the mid zone does too (it began at
 *     0.36, leaving the top of the hila in the upper zone);
 *   - the lungs stopped short of the midline (0.48-0.52): the lower lobes
 *     reach behind the heart to the spine, and a finding drawn as one box
 *     across both lungs has its centre on the midline, so the lungs and the
 *     mid and lower zones meet at 0.50; the upper zones stop at the trachea
 *     (0.46-0.54), with the upper mediastinum between them. */
const struct atlas_region atlas[ATLAS_N] = {
	/* 0 */ { "right lung", 'R', 8, 0.08f, 0.07f, 0.50f, 0.80f },
	/* 1 */ { "right upper lung zone", 'R', 9, 0.10f, 0.07f, 0.46f, 0.33f },
	/* 2 */ { "right mid lung zone", 'R', 10, 0.08f, 0.33f, 0.50f, 0.56f },
	/* 3 */ { "right lower lung zone", 'R', 11, 0.08f, 0.56f, 0.50f, 0.80f },
	/* 4 */ { "right hilar structures", 'R', 12, 0.33f, 0.34f, 0.46f, 0.54f },
	/* 5 */ { "right apical zone", 'R', 13, 0.13f, 0.07f, 0.44f, 0.22f },
	/* 6 */ { "right costophrenic angle", 'R', 14, 0.07f, 0.68f, 0.21f, 0.82f },
	/* 7 */ { "right hemidiaphragm", 'R', 15, 0.08f, 0.68f, 0.48f, 0.86f },
	/* 8 */ { "left lung", 'L', 0, 0.50f, 0.07f, 0.92f, 0.82f },
	/* 9 */ { "left upper lung zone", 'L', 1, 0.54f, 0.07f, 0.90f, 0.33f },
	/* 10 */ { "left mid lung zone", 'L', 2, 0.50f, 0.33f, 0.92f, 0.57f },
	/* 11 */ { "left lower lung zone", 'L', 3, 0.50f, 0.57f, 0.92f, 0.82f },
	/* 12 */ { "left hilar structures", 'L', 4, 0.54f, 0.33f, 0.67f, 0.53f },
	/* 13 */ { "left apical zone", 'L', 5, 0.56f, 0.07f, 0.87f, 0.22f },
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

/* A lateral view, the patient's front on the left: the sternum at x ~0.15,
 * the vertebral bodies at 0.70-0.88, the apex at 0.07, the hila in the
 * middle (0.30-0.52), the heart in front and below them resting on the
 * diaphragm, whose domes run from the anterior costophrenic sulcus (0.72-
 * 0.86) down to the posterior one, the lowest point of the pleura (0.78-
 * 0.94). The lung zones split at the top of the hila, as on the frontal
 * view; the retrosternal clear space lies behind the sternum above the
 * heart, the retrocardiac region between the heart and the spine. */
const struct lateral_region atlas_lateral[LATERAL_N] = {
	{ "upper lung zone (lateral view)", 0.14f, 0.07f, 0.86f, 0.36f },
	{ "lower lung zone (lateral view)", 0.10f, 0.36f, 0.90f, 0.90f },
	{ "hilar structures (lateral view)", 0.38f, 0.30f, 0.64f, 0.52f },
	{ "cardiac silhouette (lateral view)", 0.16f, 0.44f, 0.60f, 0.82f },
	{ "retrosternal space (lateral view)", 0.16f, 0.20f, 0.40f, 0.46f },
	{ "retrocardiac region (lateral view)", 0.54f, 0.48f, 0.74f, 0.82f },
	{ "anterior costophrenic sulcus (lateral view)", 0.10f, 0.72f, 0.30f, 0.86f },
	{ "posterior costophrenic sulcus (lateral view)", 0.70f, 0.78f, 0.92f, 0.94f },
	{ "diaphragm (lateral view)", 0.10f, 0.66f, 0.92f, 0.90f },
	{ "spine (lateral view)", 0.70f, 0.00f, 0.88f, 1.00f },
	{ "trachea (lateral view)", 0.40f, 0.00f, 0.56f, 0.36f },
	{ "abdomen (lateral view)", 0.08f, 0.86f, 0.94f, 1.00f },
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

/* Sort v[0..n) and drop repeats. @return the new n. */
static int sorted_unique(float *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			float t = v[j];
			v[j] = v[j - 1], v[j - 1] = t;
		}
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

double atlas_area(regmask m)
{
	/* exact, by coordinate compression: the box edges cut the image into
	 * cells, each inside or outside every box */
	float xs[2 * ATLAS_N], ys[2 * ATLAS_N];
	int nx = 0, ny = 0;
	for (int i = 0; i < ATLAS_N; i++) {
		if (!(m & ATLAS_BIT(i)))
			continue;
		xs[nx++] = atlas[i].x1, xs[nx++] = atlas[i].x2;
		ys[ny++] = atlas[i].y1, ys[ny++] = atlas[i].y2;
	}
	nx = sorted_unique(xs, nx);
	ny = sorted_unique(ys, ny);
	double area = 0;
	for (int a = 0; a + 1 < nx; a++)
		for (int b = 0; b + 1 < ny; b++) {
			float cx = (xs[a] + xs[a + 1]) / 2, cy = (ys[b] + ys[b + 1]) / 2;
			for (int i = 0; i < ATLAS_N; i++)
				if ((m & ATLAS_BIT(i)) && atlas[i].x1 <= cx && cx <= atlas[i].x2 &&
				    atlas[i].y1 <= cy && cy <= atlas[i].y2) {
					area += ((double)xs[a + 1] - xs[a]) * ((double)ys[b + 1] - ys[b]);
					break;
				}
		}
	return area;
}

int atlas_lateral_find(const char *name, size_t len)
{
	for (int i = 0; i < LATERAL_N; i++)
		if (strlen(atlas_lateral[i].name) == len && !memcmp(atlas_lateral[i].name, name, len))
			return i;
	return -1;
}

enum view atlas_view(const char *v)
{
	char u[32];
	size_t n = 0;
	for (; v[n] && n + 1 < sizeof u; n++)
		u[n] = (char)toupper((unsigned char)v[n]);
	u[n] = '\0';
	if (strstr(u, "LAT") || !strcmp(u, "LL") || !strcmp(u, "RL"))
		return VIEW_LATERAL;
	if (!strncmp(u, "PA", 2) || !strncmp(u, "AP", 2) || strstr(u, "FRONT"))
		return VIEW_FRONTAL;
	return VIEW_UNKNOWN;
}
