package io.jrlstream.ops;

import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.importer.ProgressMeter;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.replay.Replay;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.ops.replay.ViewVersions;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.RocksDbBounds;
import io.jrlstream.streams.train.TrainingKeys;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl replay --view NAME[@VERSION] --from earliest|TIMESTAMP}: a bounded backfill of one view from the
 * validated topic beside the running pipeline ({@link Replay}), or with {@code --activate-only} a switch of the
 * version serving uses.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Train a view (or a new version of one) from the retained validated topic, up to its end offsets "
          + "at the start (or --until), in an application of its own while the live pipeline keeps running; then stop "
          + "or go on live (--then). The version publishes to jrl.embeddings.v<N>.<view>; once caught up it becomes "
          + "the view's active version in jrl.view-versions, which serving reads.",
        "Re-running an interrupted version resumes it (same bounds). --activate-only switches serving back to a "
            + "version (0: the live pipeline's own topic)."})
final class ReplayCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--view", required = true, paramLabel = "NAME[@VERSION]",
      description = "The view, and optionally the version number (default: the next free one).")
  String view;

  @Option(names = "--from", defaultValue = "earliest", paramLabel = "earliest|TIMESTAMP",
      description = "Where to start: the beginning, or the first record at/after an ISO-8601 instant or epoch ms "
          + "(default ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--until", defaultValue = "now", paramLabel = "now|TIMESTAMP",
      description = "Where to stop: the end offsets at the start, or the first record at/after a timestamp "
          + "(default ${DEFAULT-VALUE}).")
  String until;

  @Option(names = "--then", defaultValue = "stop", paramLabel = "stop|live",
      description = "After catching up: stop, or keep training live (default ${DEFAULT-VALUE}).")
  String then;

  @Option(names = "--no-activate", description = "Do not make the version active once caught up.")
  boolean noActivate;

  @Option(names = "--activate-only", description = "Only switch the view's active version to VERSION.")
  boolean activateOnly;

  @Mixin
  StateDirOption stateDir;

  @Mixin
  ConfigOptions configOptions;

  @Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Configuration c = configOptions.read(b -> {
      stateDir.addTo(b);
      ModelKeys.addTo(b, modelOptions);
    });
    StreamsSettings s = StreamsSettings.from(c);
    String name = view;
    Integer version = null;
    int at = view.indexOf('@');
    if (at >= 0) {
      name = view.substring(0, at);
      try {
        version = Integer.parseInt(view.substring(at + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--view expects NAME or NAME@VERSION, got '" + view + "'");
      }
    }
    String control = c.get(ReplayKeys.VIEW_VERSIONS_TOPIC);
    if (activateOnly) {
      if (version == null) {
        throw new IllegalArgumentException("--activate-only needs --view NAME@VERSION");
      }
      Properties base = s.kafkaProperties();
      ViewVersions vv = ViewVersions.read(base, control, name).activate(version);
      vv.write(base, control);
      out.printf("view %s: serving now uses version %d (%s)%n", name, version,
          version == 0 ? s.embeddingsTopic(name) : vv.versions().get(version).topic());
      out.flush();
      return 0;
    }
    if (!then.equals("stop") && !then.equals("live")) {
      throw new IllegalArgumentException("--then must be stop or live, got '" + then + "'");
    }
    ModelConfig given = modelOptions.apply(ModelKeys.apply(ModelConfig.defaults().withSeed(c.get(TrainingKeys.SEED)),
        c));
    ModelConfig cfg = given.withImage(new ImageView.Settings(given.image().lambda(), s.featureDim(),
        given.image().layers()));
    Replay.Options o = new Replay.Options(name, version, from.equals("earliest") ? null : time(from, "--from"),
        until.equals("now") ? null : time(until, "--until"), then.equals("live"), !noActivate,
        TrainingOptions.from(c), StateDirOption.of(c, "jrl-state"), RocksDbBounds.from(c).streamsProperties());
    long t0 = System.nanoTime();
    Health health = new Health();
    Duration grace = Duration.ofMillis(c.get(OpsKeys.HEALTH_EXIT_GRACE_MS));
    try (Lifecycle life = Lifecycle.install(health); Replay r = life.starting(() -> Replay.start(s, cfg, control, o))) {
      if (r.streams() != null) {
        health.register("replay " + name + " v" + r.version(), r.streams());
      }
      err.printf("replaying view %s as version %d (%s, application %s): offsets %s until %s%n", name, r.version(),
          r.spec().topic(), r.spec().applicationId(), r.spec().from(), r.spec().until());
      err.flush();
      ProgressMeter meter = new ProgressMeter(err, ProgressMeter.stderrIsTerminal(), "offsets");
      r.awaitCaughtUp(Duration.ofDays(365), (done, total) -> {
        life.check(grace);
        meter.update(total == 0 ? 1 : (double) done / total, done);
      });
      meter.finish(1, r.total());
      double secs = (System.nanoTime() - t0) / 1e9;
      out.printf("view %s version %d caught up: %d offsets of the validated topic in %.1f s (%.0f/s)%s%n", name,
          r.version(), r.total(), secs, r.total() / Math.max(secs, 1e-9),
          o.activate() ? "; now the active version" : "");
      out.flush();
      if (r.streams() != null && (o.live() || "live".equals(r.spec().then()))) {
        err.println("training live; Ctrl-C stops");
        err.flush();
        return life.awaitStop(grace, err);
      }
    } catch (Lifecycle.StoppedException e) {
      err.printf("replay %s%n", e.getMessage());
      err.flush();
      return e.exitCode();
    }
    return 0;
  }

  /** An ISO-8601 instant or epoch milliseconds. */
  static long time(String text, String option) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notMillis) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(option + " expects an ISO-8601 instant (2026-11-26T10:00:00Z) or epoch "
            + "milliseconds, got '" + text + "'");
      }
    }
  }
}
