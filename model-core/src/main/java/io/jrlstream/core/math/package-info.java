/** Dense float kernels (one place, SIMD when the incubator module is present) and the seeded random source. */
package io.jrlstream.core.math;
