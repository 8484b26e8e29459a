package io.bemi.dashboard.web;

/** HTTP outcomes raised from handlers and mapped in {@link DashboardApp}. */
final class WebErrors {

  private WebErrors() {}

  static final class Unauthorized extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unauthorized(boolean credentialsSent) {
      super(credentialsSent
          ? "The Authorization header is not Bearer and the dashboard's token: check the token it was started with"
          : "Sign in first: send Authorization: Bearer <token> or sign in at /signin");
    }
  }

  static final class Forbidden extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Forbidden(String message) {
      super(message);
    }
  }

  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  static final class MisdirectedRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MisdirectedRequest(String message) {
      super(message);
    }
  }

  static final class TooManyRequests extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyRequests(String message) {
      super(message);
    }
  }

  static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict(String message) {
      super(message);
    }
  }
}
