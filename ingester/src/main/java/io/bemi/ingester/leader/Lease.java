package io.bemi.ingester.leader;

import java.time.Instant;

/**
 * The lease row of a slot as last read or written.
 *
 * @param epoch the fencing token: grows by one on every takeover
 * @param holder host:pid:nonce of the leading process
 * @param leaderSince when this holder took the lease (destination clock)
 * @param expiresAt after this (destination clock) a standby takes over
 */
public record Lease(long epoch, String holder, Instant leaderSince, Instant renewedAt, Instant expiresAt) {}
