package io.bemi.ingester.pgoutput;

import io.bemi.sql.Lsn;

/** Input the decoder cannot read. Never swallowed: the stream position is in the message. */
public final class DecodingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DecodingException(Lsn lsn, String problem) {
    super("Cannot decode pgoutput message at LSN " + lsn + ": " + problem
        + ". The ingester stops here rather than skip data; report this with the PostgreSQL version.");
  }

  public DecodingException(Lsn lsn, String problem, Throwable cause) {
    this(lsn, problem);
    initCause(cause);
  }
}
