package io.bemi.dashboard.changes;

/** A request value the dashboard cannot use; the message says which value and why (shown as a 400). */
public final class BadRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    super(message);
  }
}
