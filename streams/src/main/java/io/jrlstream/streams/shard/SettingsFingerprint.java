package io.jrlstream.streams.shard;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.streams.train.TrainingKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings every task of a sharded view must share, as text carried in a header of each message it sends
 * ({@link #HEADER}): the view's task count, rounds and lag, the batch size, the seed, the round protocol's other
 * settings, and a hash of the view's model settings, each under the key that sets it. A task that receives a message
 * written under other settings refuses it, naming the keys that differ: merging a delta of another s, L or seed
 * would silently break the bit-identity of every task.
 *
 * <p>Stateless.
 */
final class SettingsFingerprint {
  /** The header of a shard message that carries its writer's fingerprint. */
  static final String HEADER = "jrl.shard.settings";

  private SettingsFingerprint() {}

  /** The fingerprint of {@code view}'s tasks under these settings, as the header's bytes. */
  static byte[] of(String view, ShardSettings s, int batchSize, ModelConfig config) {
    String p = "jrl.views." + view + ".";
    Map<String, String> out = new LinkedHashMap<>();
    out.put(ShardKeys.tasksKey(view), Integer.toString(s.shards()));
    out.put(p + "sync.batches", Integer.toString(s.syncBatches()));
    out.put(p + "sync.lag", Integer.toString(s.lag()));
    out.put(TrainingKeys.BATCH_SIZE.key(), Integer.toString(batchSize));
    out.put(TrainingKeys.SEED.key(), Long.toString(config.seed()));
    out.put("round protocol (merge, optimiser state, word rounds, threshold, held, precision, max round bytes)",
        s.merge() + "/" + s.optimizerState() + "/" + s.wordRounds() + "/" + s.threshold() + "/" + s.maxHeld() + "/"
        + s.precision().label() + "/" + s.maxRoundBytes());
    // Records' text: the same values give the same text in every JVM of one build.
    String model = config.view(view) + (view.equals(ViewKind.RATING.viewName()) ? " " + config.rating() : "");
    out.put("jrl.model." + view + ".* (hash)", Integer.toHexString(model.hashCode()));
    StringBuilder b = new StringBuilder();
    out.forEach((k, v) -> b.append(b.length() == 0 ? "" : ";").append(k).append('=').append(v));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The keys whose values differ between two fingerprints, each with both values (empty: none differs). */
  static List<String> differences(byte[] mine, byte[] theirs) {
    Map<String, String> a = parse(mine);
    Map<String, String> b = parse(theirs);
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : a.entrySet()) {
      String other = b.get(e.getKey());
      if (!e.getValue().equals(other)) {
        out.add(e.getKey() + ": this task " + e.getValue() + ", the sender " + (other == null ? "none" : other));
      }
    }
    for (String k : b.keySet()) {
      if (!a.containsKey(k)) {
        out.add(k + ": this task none, the sender " + b.get(k));
      }
    }
    return out;
  }

  private static Map<String, String> parse(byte[] fingerprint) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : new String(fingerprint, StandardCharsets.UTF_8).split(";")) {
      int eq = kv.lastIndexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return out;
  }
}
