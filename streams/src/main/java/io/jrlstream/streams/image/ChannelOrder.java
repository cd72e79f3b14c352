package io.jrlstream.streams.image;

/** Order of the three colour planes in the model's input tensor (torchvision models: RGB; Caffe models: BGR). */
public enum ChannelOrder {
  /** Red, green, blue. */
  RGB,
  /** Blue, green, red. */
  BGR
}
