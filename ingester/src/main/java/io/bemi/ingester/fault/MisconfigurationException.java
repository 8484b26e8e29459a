package io.bemi.ingester.fault;

/**
 * A setting is wrong at start (credentials, database, privilege, setup): retrying cannot help, so
 * {@code run} exits with code 2 and the fix instead of retrying forever as an outage.
 */
public final class MisconfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MisconfigurationException(Fault fault, Throwable cause) {
    super(fault.description(), cause);
  }
}
