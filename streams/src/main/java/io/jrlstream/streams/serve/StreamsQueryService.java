package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.QueryService;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.ServeException;
import io.jrlstream.core.serve.SimilarItems;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.schemas.EmbeddingRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers queries from a running serving application (Confluent's interactive-query pattern): the instance
 * that owns the user's partition ({@code queryMetadataForKey} on the user stores) reads the user's vectors
 * and interactions from its local stores and scores them with the {@link Recommender}; any other instance
 * forwards the question to the owner through {@link RemoteQueries}. Similar-item questions are answered
 * locally (every instance holds every item vector).
 *
 * <p>While stores restore or ownership moves the answer is {@link ServeException.NotReady} (503).
 * Thread-safe: Kafka Streams' store and metadata calls are, and so is the recommender.
 */
public final class StreamsQueryService implements QueryService {
  private final KafkaStreams streams;
  private final ViewTopics topics;
  private final HostInfo self;
  private final ServeSettings settings;
  private final Recommender recommender;
  private final RemoteQueries remote;
  private final Serializer<String> keys = Serdes.String().serializer();

  /**
   * @param streams the running serving application (built from {@link ServeTopology} with {@code topics})
   * @param topics the served version of each view, its store names; answers report the versions
   * @param self this instance's {@code application.server}
   * @param remote how to ask another instance
   */
  public StreamsQueryService(KafkaStreams streams, ViewTopics topics, HostInfo self, ServeSettings settings,
      Recommender recommender, RemoteQueries remote) {
    this.streams = streams;
    this.topics = topics;
    this.self = self;
    this.settings = settings;
    this.recommender = recommender;
    this.remote = remote;
  }

  @Override
  public ServeSettings settings() {
    return settings;
  }

  @Override
  public Recommendations recommend(String user, Query q, boolean forwarded) {
    requireReady();
    KeyQueryMetadata owner = streams.queryMetadataForKey(topics.userStore(settings.views().get(0)), user, keys);
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost() == null) {
      throw new ServeException.NotReady("the owner of user '" + user + "' is not known yet (rebalancing)");
    }
    if (!owner.activeHost().equals(self)) {
      if (forwarded) {
        throw new ServeException.NotReady("user '" + user + "' was forwarded here but is owned by "
            + owner.activeHost() + " (ownership is moving)");
      }
      return remote.recommend(owner.activeHost(), user, q);
    }
    return recommender.recommend(user, profile(user, owner.partition(), q.views()), q)
        .withViewVersions(topics::version);
  }

  @Override
  public SimilarItems similar(String item, Query q) {
    requireReady();
    return recommender.similar(item, q).withViewVersions(topics::version);
  }

  @Override
  public Readiness readiness() {
    KafkaStreams.State state = streams.state();
    var views = QueryService.viewStats(recommender.index());
    String reason = null;
    if (state != KafkaStreams.State.RUNNING) {
      reason = "serving application is " + state + " (stores restoring or rebalancing)";
    } else if (!views.values().stream().allMatch(ItemIndex.ViewStats::initialised)) {
      reason = "item index still loading";
    }
    return new Readiness(reason == null, state.name(), reason, views);
  }

  private void requireReady() {
    Readiness r = readiness();
    if (!r.ready()) {
      throw new ServeException.NotReady(r.reason());
    }
  }

  /** The user's vectors in the asked views and interacted items, from this instance's stores. */
  private UserProfile profile(String user, int partition, List<String> views) {
    try {
      Map<String, UserProfile.UserVector> vectors = new HashMap<>();
      for (String view : views) {
        EmbeddingRecord r = this.<EmbeddingRecord>store(topics.userStore(view), partition).get(user);
        if (r != null) {
          vectors.put(view, ServeTopology.userVector(r));
        }
      }
      byte[] items = this.<byte[]>store(ServeTopology.INTERACTIONS_STORE, partition).get(user);
      return new UserProfile(vectors, ItemIdList.decode(items));
    } catch (InvalidStateStoreException e) {
      throw new ServeException.NotReady("user stores are not queryable now (" + e.getMessage() + ")", e);
    }
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
    return streams.store(StoreQueryParameters.<ReadOnlyKeyValueStore<String, V>>fromNameAndType(name,
        QueryableStoreTypes.keyValueStore()).withPartition(partition));
  }
}
