package io.jrlstream.streams.image;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.ImageFeatureCodec;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes the image-feature events of {@link ImageFeatureProcessor} in Avro single-object encoding: events whose
 * features are the processor's {@link FeatureList} through {@link ImageFeatureCodec}, straight from the float
 * array (the same bytes as the generic writer, without boxing 4096 floats per image), any other event through
 * {@link AvroCodec}, which also reports a field that does not fit the schema. Null is Kafka's tombstone both ways.
 *
 * <p>Stateless apart from its codecs: thread-safe; one instance may serve every stream thread.
 */
public final class ImageFeatureSerializer implements Serializer<ImageFeatureEvent> {
  private final ImageFeatureCodec fast = ImageFeatureCodec.create();
  private final AvroCodec<ImageFeatureEvent> generic = AvroCodec.of(ImageFeatureEvent.class);

  @Override
  public byte[] serialize(String topic, ImageFeatureEvent e) {
    if (e == null) {
      return null;
    }
    if (!(e.getFeatures() instanceof FeatureList list) || e.getEventId() == null || e.getEventTime() == null
        || e.getItemId() == null || e.getModelId() == null || e.getModelVersion() == null) {
      return generic.encode(e);
    }
    float[] f = list.array();
    return fast.encode(e.getEventId(), e.getEventTime().toEpochMilli(), e.getItemId(), e.getModelId(),
        e.getModelVersion(), e.getDimension(), f, 0, f.length);
  }
}
