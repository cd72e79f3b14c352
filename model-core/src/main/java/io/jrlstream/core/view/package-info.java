/**
 * The views of eJRL (paper §3–4, DESIGN.md §1): review (PV-DBOW), image (ELU decoder), rating (ELU MLP) and
 * collaborative (BPR-MF), one interface, independent parameters, and their configuration.
 */
package io.jrlstream.core.view;
