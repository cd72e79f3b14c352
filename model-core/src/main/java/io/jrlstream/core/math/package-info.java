/**
 * Dense float kernels, the one place where vector arithmetic lives (SIMD when the incubator module is present):
 * dot products, the row-block scan every top-N scores with (offline evaluation and serving alike), the 8-bit
 * row copies of serving's two-pass scan; and the seeded random source.
 */
package io.jrlstream.core.math;
