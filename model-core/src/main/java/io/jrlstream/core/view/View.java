package io.jrlstream.core.view;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.optim.Optimizer;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.state.StateBlock;
import java.util.List;

/**
 * One view k of eJRL (DESIGN.md §1, paper §3–4): its own user vectors u_k, item vectors v_k and
 * parameters, and its own objective. Nothing is shared across views, which is what lets views train
 * independently and lets a fourth view be added without touching the others.
 *
 * <p>Lifecycle, per mini-batch: the trainer calls {@link #observe} once for each new interaction (in input
 * order), then for each interaction of the batch {@link #addContentGradient} and
 * {@link #addRankingGradient} (which only accumulate gradients: parameters do not move within a batch),
 * then {@link #applyBatch} once. Not thread-safe: one thread trains a view at a time; {@link #score} may be
 * called from several threads when no training runs.
 */
public interface View {
  /** The view's name ("review", "image", "rating", "collaborative"). */
  String name();

  /** Common settings: dimension, optimiser, learning rate, epochs, L2. */
  ViewConfig config();

  /** True when x carries this view's data (a review text, stars, …); only those train the view. */
  boolean accepts(Interaction x);

  /** Makes room for users [0, users) and items [0, items). */
  void reserve(int users, int items);

  /**
   * Registers an interaction the view has not seen before: grows tables for new users, items and reviews,
   * and updates running statistics such as word counts. Called once per interaction, in input order.
   */
  void observe(Interaction x);

  /**
   * Starts a mini-batch trained at {@code learningRate} (the schedule's rate for this batch). Views whose
   * terms update immediately (the review view's word term) take their rate from it.
   */
  default void beginBatch(float learningRate) {}

  /**
   * Adds {@code weight} × the gradient of the view's own terms for x (everything but the ranking term) to
   * the batch gradient, drawing random numbers from rng.
   *
   * @return weight × the loss of those terms
   */
  double addContentGradient(Interaction x, Rng rng, float weight);

  /**
   * Adds {@code weight} × the gradient of the view's own terms for an interaction replayed from the past (see
   * {@link StreamSettings#replayContent()}): none, or those that need no review text.
   *
   * @return weight × the loss of those terms
   */
  double addReplayGradient(Interaction x, Rng rng, float weight);

  /**
   * Switches the view from its offline settings to its stream settings ({@link ViewConfig#stream()}: optimiser, L2,
   * learning rate). Called once by the streaming trainer on a fresh view, before any training or restore.
   *
   * @throws IllegalStateException when the view has already taken optimiser steps
   */
  void startStream();

  /** This view's score u_k · v_k. */
  float score(int user, int item);

  /**
   * Adds the ranking term's gradient for the triple (u, v+, v−): {@code coef} is ∂L/∂d for
   * d = u·v+ − u·v− (computed by the trainer, per view for eJRL or across views for JRL), plus
   * {@code weight} × the gradient of this view's L2 penalty on the three vectors.
   *
   * @return weight × the L2 penalty
   */
  double addRankingGradient(int user, int pos, int neg, float coef, float weight);

  /**
   * Ends the mini-batch: clips the accumulated gradient to the configured global norm, applies the
   * optimiser to the touched rows, clears the gradient.
   *
   * @return the gradient norm before clipping
   */
  double applyBatch(float learningRate);

  /**
   * Every parameter block of the view, in a fixed order (for persistence: the streaming trainer stores
   * and restores exactly these, with their optimiser state).
   */
  List<Param> params();

  /** The view's optimiser (its step count is part of the view's state). */
  Optimizer optimizer();

  /**
   * The view's structure as checkpoint blocks, beyond its {@link #params()}: what a restore needs besides the
   * parameter rows to go on exactly as before (a vocabulary with its counts, windows). None by default.
   */
  default List<StateBlock> structure() {
    return List.of();
  }

  /** User vectors u_k (rows by dense user index). */
  Table users();

  /** Item vectors v_k (rows by dense item index). */
  Table items();
}
