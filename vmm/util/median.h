/* SPDX-License-Identifier: MIT */
/* Medians of repeated measurements, as every figure of `minivmm bench` and `compare` is one. */
#ifndef MINIVMM_MEDIAN_H
#define MINIVMM_MEDIAN_H

/* Sorts values in place; returns their median and sets *spread_pct to half the range of the
 * middle runs (all runs when there are fewer than five), in percent of the median. n > 0. */
double median_with_spread(double *values, unsigned n, double *spread_pct);

#endif
