package io.bemi.bench;

/**
 * Standby ingesters with a ledger: two {@code run} processes of one slot, the leader is killed
 * (SIGKILL) or paused past its lease (SIGSTOP, then SIGCONT); the standby must take over within
 * the documented time and the paused leader must store nothing after waking. Takeover time: from
 * the signal to the standby's "Streaming slot" log line.
 */
final class StandbyScenarios {

  private static final int LEASE_SECONDS = 6;

  private StandbyScenarios() {}

  static FaultSuite.Outcome leaderKilled(PgServer source, PgServer destination) throws Exception {
    return takeover(source, destination, "leaderkill", false);
  }

  static FaultSuite.Outcome leaderPaused(PgServer source, PgServer destination) throws Exception {
    return takeover(source, destination, "leaderpause", true);
  }

  private static FaultSuite.Outcome takeover(PgServer source, PgServer destination, String name, boolean pause)
      throws Exception {
    Ledger ledger = new Ledger();
    try (IngesterProcess leader = FaultSuite.prepare(source, destination, name, source.port());
         IngesterProcess standby = new IngesterProcess(PgServer.uri("s_" + name, source.port()),
             destination.uri("d_" + name), "bench_" + name, "ingester-bench_" + name + "-standby")) {
      String lease = "--lease-seconds=" + LEASE_SECONDS;
      leader.start(lease);
      standby.launch(lease);
      if (!standby.awaitLogLine("Standby: slot", 120)) {
        throw new IllegalStateException("the second process did not stand by; see " + standby.log());
      }
      double takeoverSeconds;
      long refused;
      try (LedgerWriter writer = new LedgerWriter(source, "s_" + name, ledger)) {
        Thread.sleep(3000);
        writer.requestBulk(20_000); // the fault may land inside a large transaction
        Thread.sleep(500);
        System.out.printf("  %s the leader after %,d transactions%n", pause ? "SIGSTOP" : "SIGKILL",
            ledger.transactions());
        long faultAt = System.nanoTime();
        if (pause) {
          leader.signal("STOP");
        } else {
          leader.kill();
        }
        if (!standby.awaitLogLine("Streaming slot", 120)) {
          throw new IllegalStateException("the standby did not take over; see " + standby.log());
        }
        takeoverSeconds = (System.nanoTime() - faultAt) / 1e9;
        System.out.printf("  standby streams %.1f s after the fault%n", takeoverSeconds);
        Thread.sleep(4000);
        if (pause) {
          leader.signal("CONT");
          leader.awaitLogLine("standing by", 60);
          System.out.println("  the old leader woke up: " + (leader.logLines("Lost the lease")
              + leader.logLines("Batch refused")) + " lease-lost line(s) in its log");
        }
        Thread.sleep(2000);
      }
      refused = pause ? leader.logLines("Batch refused") : 0;
      boolean oldLeaderStandsBy = pause && leader.isAlive() && leader.logLines("standing by") > 0;
      if (leader.isAlive()) {
        leader.kill(); // before the standby's SIGTERM releases the lease to it
      }
      FaultSuite.Outcome outcome = FaultSuite.finish(name, standby, ledger, destination, String.format(
          "takeover %.1f s (lease %d s)%s", takeoverSeconds, LEASE_SECONDS,
          pause ? ", old leader: " + refused + " batch(es) refused, stood by after waking: " + oldLeaderStandsBy : ""));
      boolean inTime = takeoverSeconds <= 10 && (!pause || oldLeaderStandsBy);
      return new FaultSuite.Outcome(outcome.scenario(), outcome.passed() && inTime, outcome.detail()
          + (inTime ? "" : "; takeover slower than 10 s or the old leader did not stand by"));
    }
  }
}
