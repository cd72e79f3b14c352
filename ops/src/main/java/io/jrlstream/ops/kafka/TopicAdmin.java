package io.jrlstream.ops.kafka;

import io.jrlstream.streams.config.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics an application needs and checks the ones that already exist (issue 3: "topics
 * the application needs are created at start-up when absent, and a clear error names any that are
 * mis-configured").
 *
 * <p>Existing topics are never altered: a topic with the wrong number of partitions would move keys
 * to other partitions and a policy change would silently delete or keep data, so an operator decides.
 * Checked on existing topics: the partition count, the replication factor (unless the spec says
 * {@code -1}), and of the configs the spec sets {@code cleanup.policy} (compared as a set, so {@code
 * "compact,delete"} equals {@code "delete,compact"}), {@code retention.ms} and {@code retention.bytes} (equal, or
 * at least the spec's {@link TopicSpec#floors() floor}: a retention shorter than the history a consumer needs
 * deletes it).
 *
 * <p>Stateless and thread-safe; every call blocks on the given {@link Admin} (bounded by its {@code
 * default.api.timeout.ms}). Safe against concurrent creators: a topic that another process creates
 * between our look-up and our create ({@link TopicExistsException}) is checked like any existing
 * topic.
 */
public final class TopicAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

  /** How long a topic just created may take to show up in the cluster's metadata. */
  private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(30);

  private static final long VISIBILITY_POLL_MS = 50;

  private TopicAdmin() {}

  /**
   * Creates every absent topic with its spec's settings, then checks every topic that already
   * existed; returns once the created topics are visible in the cluster metadata.
   *
   * @param admin an open admin client; not closed here
   * @param specs the topics the application needs; names must be distinct
   * @return the names of the topics this call created, in spec order (empty when all existed)
   * @throws TopicMisconfiguredException naming every existing topic whose settings differ, with the
   *     expected and actual values (absent topics are still created first)
   * @throws KafkaOpsException when the cluster refuses a request (e.g. a replication factor larger
   *     than the number of brokers), or the thread is interrupted (its flag set again)
   * @throws IllegalArgumentException when two specs share a name
   */
  public static List<String> ensureTopics(Admin admin, List<TopicSpec> specs) {
    Map<String, TopicSpec> byName = new LinkedHashMap<>();
    for (TopicSpec spec : specs) {
      if (byName.put(spec.name(), spec) != null) {
        throw new IllegalArgumentException("topic '" + spec.name() + "' is specified twice");
      }
    }
    if (byName.isEmpty()) {
      return List.of();
    }
    Map<String, TopicDescription> existing = describeExisting(admin, byName.keySet());
    List<TopicSpec> absent = byName.values().stream()
        .filter(s -> !existing.containsKey(s.name()))
        .collect(Collectors.toList());

    List<String> created = new ArrayList<>();
    List<String> createdElsewhere = new ArrayList<>();
    if (!absent.isEmpty()) {
      create(admin, absent, created, createdElsewhere);
      List<String> toSee = new ArrayList<>(created);
      toSee.addAll(createdElsewhere);
      existing.putAll(awaitVisible(admin, toSee));
    }

    List<TopicSpec> toCheck = byName.values().stream()
        .filter(s -> !created.contains(s.name()))
        .collect(Collectors.toList());
    List<String> problems = check(admin, toCheck, existing);
    if (!problems.isEmpty()) {
      throw new TopicMisconfiguredException(problems);
    }
    return List.copyOf(created);
  }

  private static void create(
      Admin admin, List<TopicSpec> absent, List<String> created, List<String> createdElsewhere) {
    List<NewTopic> newTopics = absent.stream()
        .map(s -> new NewTopic(s.name(), Optional.of(s.partitions()),
            s.replication() == -1 ? Optional.empty() : Optional.of(s.replication()))
            .configs(s.configs()))
        .collect(Collectors.toList());
    CreateTopicsResult result = admin.createTopics(newTopics);
    for (TopicSpec spec : absent) {
      try {
        result.values().get(spec.name()).get();
        created.add(spec.name());
        LOG.info("created topic '{}': {} partition(s), replication {}, configs {}",
            spec.name(), spec.partitions(), replicationText(spec.replication()), spec.configs());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          createdElsewhere.add(spec.name());
        } else {
          throw new KafkaOpsException("could not create topic '" + spec.name() + "' ("
              + spec.partitions() + " partition(s), replication " + replicationText(spec.replication())
              + ", configs " + spec.configs() + "): " + e.getCause().getMessage(), e.getCause());
        }
      } catch (InterruptedException e) {
        throw interrupted("creating topic '" + spec.name() + "'", e);
      }
    }
  }

  /** @return descriptions of the topics that exist among {@code names}; absent ones left out */
  private static Map<String, TopicDescription> describeExisting(Admin admin, Collection<String> names) {
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin.describeTopics(names).topicNameValues();
    Map<String, TopicDescription> found = new LinkedHashMap<>();
    for (String name : names) {
      try {
        found.put(name, futures.get(name).get());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new KafkaOpsException(
              "could not describe topic '" + name + "': " + e.getCause().getMessage(), e.getCause());
        }
      } catch (InterruptedException e) {
        throw interrupted("describing topic '" + name + "'", e);
      }
    }
    return found;
  }

  private static Map<String, TopicDescription> awaitVisible(Admin admin, List<String> names) {
    long deadline = System.nanoTime() + VISIBILITY_TIMEOUT.toNanos();
    while (true) {
      Map<String, TopicDescription> found = describeExisting(admin, names);
      if (found.size() == names.size()) {
        return found;
      }
      if (System.nanoTime() - deadline > 0) {
        List<String> missing = new ArrayList<>(names);
        missing.removeAll(found.keySet());
        throw new KafkaOpsException("topics " + missing + " were created but are still not in the"
            + " cluster metadata after " + VISIBILITY_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(VISIBILITY_POLL_MS);
      } catch (InterruptedException e) {
        throw interrupted("waiting for topics " + names + " to appear", e);
      }
    }
  }

  private static List<String> check(
      Admin admin, List<TopicSpec> specs, Map<String, TopicDescription> descriptions) {
    Map<String, Config> configs = describePolicies(admin, specs);
    List<String> problems = new ArrayList<>();
    for (TopicSpec spec : specs) {
      TopicDescription description = descriptions.get(spec.name());
      int partitions = description.partitions().size();
      if (partitions != spec.partitions()) {
        problems.add("topic '" + spec.name() + "': partitions expected " + spec.partitions()
            + ", actual " + partitions);
      }
      if (spec.replication() != -1 && !description.partitions().isEmpty()) {
        int replication = description.partitions().get(0).replicas().size();
        if (replication != spec.replication()) {
          problems.add("topic '" + spec.name() + "': replication expected " + spec.replication()
              + ", actual " + replication);
        }
      }
      for (String key : CHECKED_CONFIGS) {
        String expected = spec.configs().get(key);
        if (expected == null) {
          continue;
        }
        ConfigEntry entry = configs.get(spec.name()).get(key);
        String actual = entry == null ? "" : entry.value();
        Long floor = spec.floors().get(key);
        if (floor != null) {
          if (!actual.trim().equals("-1") && !atLeast(actual, Long.toString(floor))) {
            problems.add("topic '" + spec.name() + "': " + key + " expected -1 or at least " + floor + ", actual '"
                + actual + "'");
          }
          continue;
        }
        if (key.equals(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)) {
          if (!atLeast(actual, expected)) {
            problems.add("topic '" + spec.name() + "': " + key + " expected at least " + expected.trim()
                + " (the largest record the application writes, jrl.max.record.bytes, plus Kafka's overheads),"
                + " actual '" + actual + "'");
          }
          continue;
        }
        boolean same = key.equals(TopicConfig.CLEANUP_POLICY_CONFIG)
            ? policySet(expected).equals(policySet(actual)) : expected.trim().equals(actual.trim());
        if (!same) {
          problems.add("topic '" + spec.name() + "': " + key + " expected '" + expected + "', actual '" + actual
              + "'");
        }
      }
    }
    return problems;
  }

  /**
   * The topic-level configs compared on existing topics when a spec sets them ({@code max.message.bytes} as a
   * lower bound: a topic that accepts larger records is fine).
   */
  private static final List<String> CHECKED_CONFIGS = List.of(TopicConfig.CLEANUP_POLICY_CONFIG,
      TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);

  private static boolean atLeast(String actual, String expected) {
    try {
      return Long.parseLong(actual.trim()) >= Long.parseLong(expected.trim());
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Map<String, Config> describePolicies(Admin admin, List<TopicSpec> specs) {
    List<ConfigResource> resources = specs.stream()
        .filter(s -> CHECKED_CONFIGS.stream().anyMatch(s.configs()::containsKey))
        .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name()))
        .collect(Collectors.toList());
    if (resources.isEmpty()) {
      return Map.of();
    }
    try {
      Map<ConfigResource, Config> byResource = admin.describeConfigs(resources).all().get();
      Map<String, Config> byName = new LinkedHashMap<>();
      byResource.forEach((resource, config) -> byName.put(resource.name(), config));
      return byName;
    } catch (ExecutionException e) {
      throw new KafkaOpsException("could not read the configs of topics "
          + resources.stream().map(ConfigResource::name).collect(Collectors.toList()) + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      throw interrupted("reading topic configs", e);
    }
  }

  private static Set<String> policySet(String policy) {
    return Arrays.stream(policy.split(","))
        .map(p -> p.trim().toLowerCase(Locale.ROOT))
        .filter(p -> !p.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String replicationText(short replication) {
    return replication == -1 ? "broker default" : Short.toString(replication);
  }

  private static KafkaOpsException interrupted(String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new KafkaOpsException("interrupted while " + what, e);
  }
}
