package io.bemi.ingester.sink;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A sink cannot take changes now (broker or receiver down, timeout): the ingester retries with
 * backoff from the stored checkpoint, and confirms nothing to the slot meanwhile.
 */
public final class SinkUnavailableException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  public SinkUnavailableException(String message, Throwable cause) {
    super(message, new IOException(message, cause));
  }
}
