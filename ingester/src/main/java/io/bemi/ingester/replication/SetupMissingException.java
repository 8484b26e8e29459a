package io.bemi.ingester.replication;

/** The source lacks what {@code setup} creates, or what an option needs; retrying cannot help. */
public final class SetupMissingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SetupMissingException(String message) {
    super(message);
  }
}
