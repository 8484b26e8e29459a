package io.bemi.dashboard;

import io.bemi.test.TestDatabase;

/**
 * Two source servers ingesting into one destination, colliding everywhere they can: the same
 * table {@code public.accounts}, the same key 1, the same commit LSN {@value #COMMIT_LSN} and xid
 * {@value #XID}, the same context {@code {"requestId":"r-9"}} (2024-05-01, UTC):
 * <pre>
 *  eu-1  10:30 tx 700 at 0/5000000  CREATE accounts 1 {owner: anna}
 *  us-1  10:45 tx 700 at 0/5000000  CREATE accounts 1 {owner: zoe}, CREATE accounts 2 {owner: yan}
 * </pre>
 * Written beside {@link Trail}'s story (source {@code ''}, other tables), as the ingesters would store it.
 */
public final class TwoSources {

  public static final String EU = "eu-1";
  public static final String US = "us-1";
  public static final String COMMIT_LSN = "0/5000000";
  public static final long XID = 700;

  private TwoSources() {}

  public static void store(TestDatabase db) throws Exception {
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source) VALUES"
        + " ('1', '{}', '{\"id\": 1, \"owner\": \"anna\"}', '{\"requestId\": \"r-9\"}', 'bank', 'public', 'accounts', 'CREATE',"
        + "  '2024-05-01T10:30:00Z', '2024-05-01T10:30:00Z', 700, 83886000, 83886080, 0, 'eu-1'),"
        + " ('1', '{}', '{\"id\": 1, \"owner\": \"zoe\"}', '{\"requestId\": \"r-9\"}', 'bank', 'public', 'accounts', 'CREATE',"
        + "  '2024-05-01T10:45:00Z', '2024-05-01T10:45:00Z', 700, 83886000, 83886080, 0, 'us-1'),"
        + " ('2', '{}', '{\"id\": 2, \"owner\": \"yan\"}', '{\"requestId\": \"r-9\"}', 'bank', 'public', 'accounts', 'CREATE',"
        + "  '2024-05-01T10:45:00Z', '2024-05-01T10:45:00Z', 700, 83886016, 83886080, 1, 'us-1')");
  }
}
