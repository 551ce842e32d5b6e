/* SPDX-License-Identifier: MIT */
#include "util/median.h"

#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double median_with_spread(double *values, unsigned n, double *spread_pct)
{
	qsort(values, n, sizeof *values, compare_doubles);
	double m = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	/* Dropping a fifth at each end keeps one descheduled run from setting the spread. */
	unsigned cut = n >= 5 ? n / 5 : 0;
	*spread_pct = m > 0 ? 50.0 * (values[n - 1 - cut] - values[cut]) / m : 0;
	return m;
}
