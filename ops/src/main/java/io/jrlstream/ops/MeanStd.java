package io.jrlstream.ops;

import java.util.Arrays;

/** Summaries of one figure over seeds, as the evaluation tables print them: mean, population std, median. */
final class MeanStd {
  private MeanStd() {}

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(0);
  }

  /** Population standard deviation (over the seeds run, not an estimate for unseen ones). */
  static double std(double[] v) {
    double m = mean(v);
    return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).average().orElse(0));
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return 0;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
  }
}
