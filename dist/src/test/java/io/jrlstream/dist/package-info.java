/**
 * Tests of the distribution (issue 14, "Packaging"): the Kubernetes manifests against the code's defaults (unit
 * tests), and the archive unpacked in an empty folder and run with only a JDK ({@code DistributionIT}, after
 * {@code mvn package}: {@code mvn verify}).
 */
package io.jrlstream.dist;
