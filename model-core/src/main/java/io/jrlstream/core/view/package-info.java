/**
 * The views of eJRL (paper §3–4, DESIGN.md §1): review (PV-DBOW), image (ELU decoder), rating (ELU MLP) and
 * collaborative (BPR-MF), one interface, independent parameters, and their configuration. {@link
 * io.jrlstream.core.view.ViewKind} is the one registry of views (name, input, data needed, defaults, construction);
 * {@link io.jrlstream.core.view.ModelSettings} reads their settings ({@code --set VIEW.KEY=VALUE}, {@code
 * jrl.model.VIEW.KEY}), {@link io.jrlstream.core.view.StreamSettings} holds how each learns from a stream.
 */
package io.jrlstream.core.view;
