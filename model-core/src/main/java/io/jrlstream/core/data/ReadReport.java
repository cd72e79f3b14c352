package io.jrlstream.core.data;

import java.util.List;

/**
 * What a reader did with a file: lines read, records kept, and every malformed line (number and reason;
 * the list keeps the first {@value #MAX_KEPT}, the count is exact). Malformed lines are never dropped
 * silently: callers print {@link #summary()}.
 */
public record ReadReport(String source, long lines, long records, long malformed, List<Problem> problems) {
  /** Most problems kept in {@link #problems()}. */
  public static final int MAX_KEPT = 100;

  public static final ReadReport EMPTY = new ReadReport("", 0, 0, 0, List.of());

  /** One malformed line. */
  public record Problem(long line, String reason) {}

  public ReadReport {
    problems = List.copyOf(problems);
  }

  /** One line for humans, e.g. "file.json.gz: 10261 lines, 10260 records, 1 malformed (line 7: …)". */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(source).append(": ").append(lines).append(" lines, ").append(records).append(" records, ")
        .append(malformed).append(" malformed");
    if (!problems.isEmpty()) {
      Problem p = problems.get(0);
      sb.append(" (first: line ").append(p.line()).append(": ").append(p.reason()).append(')');
    }
    return sb.toString();
  }
}
