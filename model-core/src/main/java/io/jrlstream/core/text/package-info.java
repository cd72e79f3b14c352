/** The review view's streaming vocabulary: counts, min count, cap and eviction, noise and subsampling. */
package io.jrlstream.core.text;
