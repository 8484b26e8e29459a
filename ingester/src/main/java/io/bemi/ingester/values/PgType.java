package io.bemi.ingester.values;

/**
 * A data type as far as JSON rendering cares: its kind, and for arrays the element type and the
 * element delimiter of the text form (',' for every type but box).
 */
public record PgType(int oid, JsonKind kind, PgType element, char delimiter) {

  public static PgType scalar(int oid, JsonKind kind) {
    return new PgType(oid, kind, null, ',');
  }

  public static PgType array(int oid, PgType element, char delimiter) {
    return new PgType(oid, JsonKind.ARRAY, element, delimiter);
  }
}
