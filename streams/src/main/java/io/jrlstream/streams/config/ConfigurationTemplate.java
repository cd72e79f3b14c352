package io.jrlstream.streams.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a configuration as a Java properties file that loads as is: every setting of the catalog, group by group,
 * as {@code key=value} with its meaning, the values it accepts, its default and its environment variable as comments
 * on their own lines (a properties file has no inline comments: {@code key = 1  # partitions} sets the text
 * {@code 1  # partitions}), then the pass-through properties that are set. Generated from the {@link Setting}
 * declarations, so it cannot drift from what {@link Configuration} reads.
 *
 * <p>Values are the configuration's (its defaults, for {@link Configuration#defaults}); a secret that is set is not
 * written (its line keeps the default and a comment says where it is set); a required key that is not set gets its
 * declared example. Stateless.
 */
public final class ConfigurationTemplate {
  /** Comment lines are wrapped at this width. */
  static final int WIDTH = 110;

  private ConfigurationTemplate() {}

  /**
   * @param c      the configuration whose values to write
   * @param header comment lines (without {@code #}) opening the file
   * @return the file's text, {@code \n} line ends
   */
  public static String write(Configuration c, List<String> header) {
    StringBuilder sb = new StringBuilder();
    for (String line : header) {
      comment(sb, line);
    }
    String rule = "-".repeat(WIDTH - 2);
    for (SettingGroup g : c.catalog().groups()) {
      sb.append('\n').append("# ").append(rule).append('\n');
      comment(sb, g.title());
      if (!g.doc().isEmpty()) {
        comment(sb, g.doc());
      }
      sb.append("# ").append(rule).append('\n');
      for (Setting<?> s : g.settings()) {
        setting(sb, c, s);
      }
    }
    Map<String, String> passthrough = c.passthrough();
    sb.append('\n').append("# ").append(rule).append('\n');
    comment(sb, "Kafka client and Kafka Streams properties");
    comment(sb, "Any key that does not start with " + Catalog.PREFIX + " goes to the Kafka clients and Kafka Streams "
        + "unchanged, e.g. security.protocol=SASL_SSL, sasl.mechanism, sasl.jaas.config, num.standby.replicas=1.");
    sb.append("# ").append(rule).append('\n');
    for (Map.Entry<String, String> e : passthrough.entrySet()) {
      if (Configuration.SECRET.matcher(e.getKey()).matches()) {
        comment(sb, e.getKey() + " is set by " + c.origin(e.getKey()) + "; its value is not written here");
      } else {
        sb.append(e.getKey()).append('=').append(escape(e.getValue())).append('\n');
      }
    }
    return sb.toString();
  }

  private static <T> void setting(StringBuilder sb, Configuration c, Setting<T> s) {
    sb.append('\n');
    comment(sb, sentence(s.doc()));
    String value = c.text(s.key()).orElse(null);
    String dflt = s.defaultText().orElse(null);
    List<String> facts = new ArrayList<>();
    facts.add("Values: " + s.expects() + ".");
    if (dflt == null) {
      facts.add("Required" + (value == null ? " (the value below is an example)." : "."));
    } else if (value != null && !value.equals(dflt)) {
      facts.add("Default: " + (dflt.isEmpty() ? "empty" : dflt) + ".");
    }
    comment(sb, String.join(" ", facts));
    comment(sb, "Environment: " + s.environmentName() + ".");
    if (s.isSecret() && value != null && !value.equals(dflt)) {
      comment(sb, "Set by " + c.origin(s.key()) + "; its value is not written here.");
      value = null;
    }
    String written = value != null ? value : dflt != null ? dflt : s.example().orElse("");
    sb.append(s.key()).append('=').append(escape(written)).append('\n');
  }

  /** The text with a capital first letter and a full stop. */
  private static String sentence(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return t;
    }
    t = Character.toUpperCase(t.charAt(0)) + t.substring(1);
    return t.endsWith(".") ? t : t + ".";
  }

  /** Appends {@code text} as comment lines of at most {@link #WIDTH} characters, broken at spaces. */
  static void comment(StringBuilder sb, String text) {
    String rest = text.strip();
    if (rest.isEmpty()) {
      sb.append("#\n");
      return;
    }
    while (!rest.isEmpty()) {
      int max = WIDTH - 2;
      if (rest.length() <= max) {
        sb.append("# ").append(rest).append('\n');
        return;
      }
      int cut = rest.lastIndexOf(' ', max);
      if (cut <= 0) {
        cut = rest.indexOf(' ', max);
        if (cut < 0) {
          cut = rest.length();
        }
      }
      sb.append("# ").append(rest, 0, cut).append('\n');
      rest = rest.substring(cut).strip();
    }
  }

  /** A value as {@link java.util.Properties#load(java.io.Reader)} reads it back: escapes, ASCII only. */
  static String escape(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\f' -> sb.append("\\f");
        case ' ' -> sb.append(i == 0 ? "\\ " : " ");
        default -> {
          if (ch < 0x20 || ch > 0x7e) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }
}
