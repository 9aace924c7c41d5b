#include "grid.h"

#include <math.h>

size_t grid_bytes(int grid)
{
	return ((size_t)grid * (size_t)grid + 7) / 8;
}

static double clip01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

int grid_box(int grid, double x1, double y1, double x2, double y2, uint8_t *bits)
{
	/* in patch units */
	double g = grid;
	x1 = clip01(x1) * g, x2 = clip01(x2) * g;
	y1 = clip01(y1) * g, y2 = clip01(y2) * g;
	if (!(x2 > x1 && y2 > y1))
		return 0;
	int c0 = (int)floor(x1), c1 = (int)ceil(x2), r0 = (int)floor(y1), r1 = (int)ceil(y2);
	if (c1 > grid)
		c1 = grid;
	if (r1 > grid)
		r1 = grid;
	int n = 0, best = -1;
	double best_cov = 0;
	for (int r = r0; r < r1; r++) {
		double oy = fmin(y2, r + 1) - fmax(y1, r);
		for (int c = c0; c < c1; c++) {
			double cov = (fmin(x2, c + 1) - fmax(x1, c)) * oy;
			int i = r * grid + c;
			/* 1e-9: a box edge computed as 0.4999999 of a patch is half of it */
			if (cov >= 0.5 - 1e-9) {
				bits[i >> 3] |= (uint8_t)(1u << (i & 7));
				n++;
			}
			if (cov > best_cov) {
				best_cov = cov;
				best = i;
			}
		}
	}
	if (!n && best >= 0) {
		bits[best >> 3] |= (uint8_t)(1u << (best & 7));
		n = 1;
	}
	return n;
}

int grid_count(int grid, const uint8_t *bits)
{
	int n = 0;
	size_t nb = grid_bytes(grid);
	for (size_t i = 0; i < nb; i++)
		n += __builtin_popcount((unsigned)bits[i]);
	return n;
}
