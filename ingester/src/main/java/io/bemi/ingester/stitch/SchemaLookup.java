package io.bemi.ingester.stitch;

import io.bemi.ingester.values.PgType;
import java.util.List;

/** What the stitcher needs to know beyond the stream: type details and real primary keys. */
public interface SchemaLookup {

  /** How values of the type are rendered as JSON. */
  PgType type(int typeOid);

  /**
   * The names of the table's primary key columns in key order; empty when it has none. Called
   * again whenever a Relation message arrives, so implementations refresh rather than cache forever.
   */
  List<String> primaryKey(int relationOid);
}
