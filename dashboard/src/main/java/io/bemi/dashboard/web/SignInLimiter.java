package io.bemi.dashboard.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Limits guessing the token, in fixed one-minute windows. Each attempt takes one of the client's
 * {@code perClient} tries before the token is compared, so a client past its limit learns nothing
 * (not even that a guess was right); a right token gives its try back, so signing in and API
 * requests with the token never use up a budget. All clients together may fail ten times {@code
 * perClient} times a minute (rotating addresses does not lift the limit); past that, a client that
 * has not failed in this window still gets one try, so a flood of wrong guesses from many addresses
 * cannot lock out the user who holds the token. IPv6 clients count by their /64 network (one host
 * gets a whole /64). A 24+ character random token is not guessable anyway; this keeps a chosen weak
 * token from being brute-forced and the sign-in from being used to burn CPU.
 */
final class SignInLimiter {

  private static final long WINDOW_MILLIS = 60_000;
  /** Clients remembered per window; a client beyond them may try only while all together are under their limit. */
  static final int MAX_CLIENTS = 100_000;

  private final int perClient;
  private final Clock clock;
  private final Map<String, int[]> failures = new HashMap<>();
  private long window = -1;
  private int total;

  SignInLimiter(int perClient, Clock clock) {
    this.perClient = perClient;
    this.clock = clock;
  }

  /**
   * Takes one try of the client's budget before its token is compared: 0 when it may try, else the
   * seconds until the next window. Give the try back with {@link #succeeded} when the token was right.
   */
  synchronized long attempt(String client) {
    long now = clock.millis();
    long current = now / WINDOW_MILLIS;
    if (current != window) {
      window = current;
      total = 0;
      failures.clear();
    }
    String key = key(client);
    int[] count = failures.get(key);
    boolean fresh = count == null && failures.size() < MAX_CLIENTS;
    if (count == null ? !fresh && total >= perClient * 10
        : count[0] >= perClient || total >= perClient * 10 && count[0] > 0) {
      return Math.max(1, ((current + 1) * WINDOW_MILLIS - now + 999) / 1000);
    }
    if (count == null) {
      count = new int[1];
      if (fresh) {
        failures.put(key, count);
      }
    }
    count[0]++;
    total++;
    return 0;
  }

  /** The try taken by {@link #attempt} was the right token: it does not count. */
  synchronized void succeeded(String client) {
    int[] count = failures.get(key(client));
    if (count != null && count[0] > 0) {
      count[0]--;
      total--;
    }
  }

  /** An IPv6 address by its /64 network; anything else as it is, cut to 64 characters (no address is longer). */
  static String key(String client) {
    if (client.length() > 64) {
      return client.substring(0, 64);
    }
    if (client.indexOf(':') < 0 || !client.matches("\\[?[0-9A-Fa-f:.]+(%\\w+)?]?")) {
      return client;
    }
    try { // a literal: getByName parses it without a lookup
      byte[] address = InetAddress.getByName(client.replaceAll("[\\[\\]]|%.*", "")).getAddress();
      return address.length == 16 ? HexFormat.of().formatHex(address, 0, 8) + "::/64" : client;
    } catch (UnknownHostException e) {
      return client;
    }
  }
}
