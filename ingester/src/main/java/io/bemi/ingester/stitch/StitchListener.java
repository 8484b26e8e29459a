package io.bemi.ingester.stitch;

/** Told about things worth counting that do not stop the stream. */
public interface StitchListener {

  /** A {@code _bemi} message that was not a storable JSON object, or was non-transactional. */
  void malformedContextMessage();

  /** An unchanged TOAST value that could not be filled in because no old row was sent. */
  void missingToastValue();

  /** An oversized {@code _bemi} context object reduced to the limit (identifying keys kept). */
  default void contextTruncated() {}

  /** A row value stored in the fallback form because jsonb cannot hold it as it is. */
  default void valueFallback() {}

  /** A row value kept as its size and SHA-256 because the row is larger than {@code --max-row-bytes}. */
  default void valueTooLarge() {}

  /** A {@code bemi_heartbeat} message from the ingester's own monitor (ignored otherwise). */
  void heartbeat();

  StitchListener NONE = new StitchListener() {
    @Override
    public void malformedContextMessage() {}

    @Override
    public void missingToastValue() {}

    @Override
    public void heartbeat() {}
  };
}
