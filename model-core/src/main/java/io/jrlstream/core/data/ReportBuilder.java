package io.jrlstream.core.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what a reader saw, line by line, into a {@link ReadReport}: exact counts, and the first
 * {@link ReadReport#MAX_KEPT} malformed lines with their reasons. Not thread-safe; one per read.
 */
final class ReportBuilder {
  private final String source;
  private final List<ReadReport.Problem> problems = new ArrayList<>();
  private long lines;
  private long records;
  private long malformed;

  ReportBuilder(String source) {
    this.source = source;
  }

  void line() {
    lines++;
  }

  void record() {
    records++;
  }

  void malformed(long line, String reason) {
    malformed++;
    if (problems.size() < ReadReport.MAX_KEPT) {
      problems.add(new ReadReport.Problem(line, reason));
    }
  }

  long lines() {
    return lines;
  }

  ReadReport build() {
    return new ReadReport(source, lines, records, malformed, problems);
  }
}
