package io.bemi.ingester.leader;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * Who leads, as this process last saw it, and this process's {@link Role}: the state behind
 * {@code status}, {@code /health/ready} and the meters
 * {@code bemi_ingester_leader{holder}} (1 while this process leads),
 * {@code bemi_ingester_leader_since_seconds} (epoch seconds the current leader took over),
 * {@code bemi_ingester_lease_epoch} and {@code bemi_ingester_role{role}} (1 for the current role).
 * Safe to read from any thread.
 */
public final class Leadership {

  private final String holder;
  private volatile Role role = Role.STARTING;
  private volatile Lease lease; // the lease as last read or written, null before the first
  private volatile String problem; // what the current outage or misconfiguration is, null otherwise

  public Leadership(MeterRegistry registry) {
    this(registry, newHolderName());
  }

  public Leadership(MeterRegistry registry, String holder) {
    this.holder = holder;
    Gauge.builder("bemi.ingester.leader", this, l -> l.role == Role.LEADER ? 1 : 0).tag("holder", holder)
        .description("1 while this process holds the lease (streams and stores), 0 as a standby or while failing")
        .register(registry);
    Gauge.builder("bemi.ingester.leader.since", this, Leadership::leaderSinceSeconds).baseUnit("seconds")
        .description("When the current leader took the lease (Unix epoch seconds, destination clock)")
        .register(registry);
    Gauge.builder("bemi.ingester.lease.epoch", this, l -> l.lease == null ? Double.NaN : l.lease.epoch())
        .description("Fencing epoch of the current lease: grows by one on every takeover").register(registry);
    for (Role r : Role.values()) {
      Gauge.builder("bemi.ingester.role", this, l -> l.role == r ? 1 : 0).tag("role", r.label())
          .description("1 for what this process is doing: leader, standby, outage, misconfigured, starting, stopped")
          .register(registry);
    }
  }

  /** host:pid:nonce; the nonce tells apart two ingesters in one JVM (tests). */
  static String newHolderName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** This process's name in the lease row. */
  public String holder() {
    return holder;
  }

  public Role role() {
    return role;
  }

  public Lease lease() {
    return lease;
  }

  /** The current outage's or misconfiguration's description; null while leading or standing by. */
  public String problem() {
    return problem;
  }

  public void leading(Lease current) {
    lease = current;
    problem = null;
    role = Role.LEADER;
  }

  public void standingBy(Lease current) {
    lease = current;
    problem = null;
    role = Role.STANDBY;
  }

  public void failing(Role kind, String description) {
    problem = description;
    role = kind;
  }

  public void stopped() {
    role = Role.STOPPED;
  }

  private double leaderSinceSeconds() {
    Lease current = lease;
    return current == null ? Double.NaN : current.leaderSince().toEpochMilli() / 1000.0;
  }
}
