package io.jrlstream.core.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads the Amazon 2014 review format (McAuley et al.; one JSON object per line, plain or gzip) into a
 * {@link Dataset}: the offline input of the review, rating and collaborative views (paper §5.1).
 *
 * <p>Per line it uses {@code reviewerID}, {@code asin}, {@code overall} (stars, 1–5),
 * {@code summary} and {@code reviewText} (the text is summary + " " + reviewText, DESIGN.md §1) and
 * {@code unixReviewTime} (seconds, stored as epoch milliseconds; 0 when absent); other fields are
 * skipped. A review whose text holds no word (no letter a–z after lower-casing, so nothing the tokeniser
 * would keep) is still a rating: it becomes an interaction without text.
 *
 * <p>A line is malformed, reported in the dataset's {@link ReadReport} with its number and reason and
 * otherwise skipped, when it is not one JSON object, when {@code reviewerID} or {@code asin} is missing,
 * empty or not a string, when {@code overall} is missing, not a number or outside 1–5, when
 * {@code unixReviewTime} is present but not an integer, or when {@code summary} or {@code reviewText} is
 * present but neither a string nor null. All other lines are kept. Blank lines hold no record and are
 * skipped.
 *
 * <p>Each line is parsed on its own with a streaming jackson-core parser, so one bad line cannot hide
 * the next. Stateless and thread-safe; each call builds its own dataset.
 */
public final class AmazonReviewReader {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private AmazonReviewReader() {}

  /** Reads every line of {@code path}. See {@link #read(Path, long)}. */
  public static Dataset read(Path path) {
    return read(path, Long.MAX_VALUE);
  }

  /**
   * Reads at most {@code maxLines} lines of {@code path} (plain or gzip, told apart by content).
   *
   * @throws IllegalArgumentException naming the file when it is missing or unreadable, or when maxLines
   *     is below 1
   * @throws UncheckedIOException naming the file on an I/O error (e.g. a truncated gzip stream)
   */
  public static Dataset read(Path path, long maxLines) {
    return LineReading.read(path, maxLines, new LineParser());
  }

  /**
   * Reads at most {@code maxLines} lines of already decompressed text; {@code source} names it in the
   * report. The reader is not closed.
   */
  public static Dataset read(Reader in, String source, long maxLines) {
    return LineReading.read(in, source, maxLines, new LineParser());
  }

  /** A new line parser (per-read state), for the line loops of this package. */
  static LineReading.LineParser parser() {
    return new LineParser();
  }

  /** Per-read parsing state, reused across lines. */
  private static final class LineParser implements LineReading.LineParser {
    private String user;
    private String item;
    private String summary;
    private String body;
    private double stars;
    private boolean hasStars;
    private long time;
    private String problem;

    @Override
    public String parse(String line, Consumer<SourceRecord> out) {
      user = null;
      item = null;
      summary = null;
      body = null;
      hasStars = false;
      stars = Double.NaN;
      time = 0;
      problem = null;
      try (JsonParser p = JSON.createParser(line)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return "not a JSON object";
        }
        String name;
        while ((name = p.nextFieldName()) != null) {
          JsonToken t = p.nextToken();
          switch (name) {
            case "reviewerID" -> user = id(p, t, name);
            case "asin" -> item = id(p, t, name);
            case "summary" -> summary = text(p, t, name);
            case "reviewText" -> body = text(p, t, name);
            case "overall" -> stars(p, t);
            case "unixReviewTime" -> time(p, t);
            default -> p.skipChildren();
          }
        }
        if (p.nextToken() != null) {
          return "invalid JSON: content after the object";
        }
      } catch (JsonProcessingException e) {
        return "invalid JSON: " + e.getOriginalMessage();
      } catch (IOException e) {
        // A parser over a String does no I/O.
        throw new UncheckedIOException(e);
      }
      if (problem != null) {
        return problem;
      }
      if (user == null) {
        return "missing or empty reviewerID";
      }
      if (item == null) {
        return "missing or empty asin";
      }
      if (!hasStars) {
        return "missing overall";
      }
      if (!(stars >= 1 && stars <= 5)) {
        return "overall " + stars + " outside 1-5";
      }
      out.accept(SourceRecord.interaction(user, item, (float) stars, summary, body, time));
      return null;
    }

    private String id(JsonParser p, JsonToken t, String name) throws IOException {
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getText().strip();
        return s.isEmpty() ? null : s;
      }
      if (t != JsonToken.VALUE_NULL) {
        fail(name + " is not a string");
        p.skipChildren();
      }
      return null;
    }

    private String text(JsonParser p, JsonToken t, String name) throws IOException {
      if (t == JsonToken.VALUE_STRING) {
        return p.getText();
      }
      if (t != JsonToken.VALUE_NULL) {
        fail(name + " is not a string");
        p.skipChildren();
      }
      return null;
    }

    private void stars(JsonParser p, JsonToken t) throws IOException {
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        hasStars = true;
        stars = p.getDoubleValue();
      } else {
        fail("overall is not a number");
        p.skipChildren();
      }
    }

    private void time(JsonParser p, JsonToken t) throws IOException {
      if (t == JsonToken.VALUE_NULL) {
        return;
      }
      if (t != JsonToken.VALUE_NUMBER_INT) {
        fail("unixReviewTime is not an integer");
        p.skipChildren();
        return;
      }
      JsonParser.NumberType nt = p.getNumberType();
      long seconds = nt == JsonParser.NumberType.BIG_INTEGER ? Long.MAX_VALUE : p.getLongValue();
      if (Math.abs(seconds) > Long.MAX_VALUE / 1000) {
        fail("unixReviewTime " + p.getText() + " out of range");
        return;
      }
      time = seconds * 1000;
    }

    private void fail(String reason) {
      if (problem == null) {
        problem = reason;
      }
    }
  }

  /** summary + " " + reviewText, or null when together they hold no word the tokeniser would keep. */
  static String reviewText(String summary, String body) {
    String s;
    if (summary == null || summary.isEmpty()) {
      s = body;
    } else if (body == null || body.isEmpty()) {
      s = summary;
    } else {
      s = summary + " " + body;
    }
    return s != null && hasWord(s) ? s : null;
  }

  /** Whether {@link Lexicon#tokenize} would find at least one word in s. */
  static boolean hasWord(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = Character.toLowerCase(s.charAt(i));
      if (c >= 'a' && c <= 'z') {
        return true;
      }
    }
    return false;
  }
}
