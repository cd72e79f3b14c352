package io.jrlstream.streams.image;

import java.util.Objects;

/**
 * The execution provider the sessions of one application use, and why: the outcome of
 * {@link OnnxSessions#choose}, logged once at start.
 *
 * @param cuda   whether sessions add the CUDA provider (else CPU only)
 * @param device the CUDA device id (meaningless on CPU)
 * @param reason why this provider, e.g. the loader's message when CUDA did not load
 */
public record ProviderChoice(boolean cuda, int device, String reason) {
  /** @throws NullPointerException when reason is null */
  public ProviderChoice {
    Objects.requireNonNull(reason, "reason");
  }

  /** @return {@code "CUDA (device N)"} or {@code "CPU"} */
  public String provider() {
    return cuda ? "CUDA (device " + device + ")" : "CPU";
  }
}
