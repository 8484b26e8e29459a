package io.bemi;

/** The context API. Not built yet. */
public final class Bemi {

  private Bemi() {}
}
