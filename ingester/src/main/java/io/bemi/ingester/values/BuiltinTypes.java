package io.bemi.ingester.values;

import java.util.HashMap;
import java.util.Map;

/**
 * The built-in types whose JSON form differs from a string, and their array types, by their fixed
 * OIDs (pg_type.dat). Every other OID is a string unless the catalog says it is an array or a
 * domain over one of these (see {@code SourceCatalog}).
 */
public final class BuiltinTypes implements TypeResolver {

  public static final int BOOL = 16;
  public static final int INT8 = 20;
  public static final int INT2 = 21;
  public static final int INT4 = 23;
  public static final int TEXT = 25;
  public static final int JSON = 114;
  public static final int FLOAT4 = 700;
  public static final int FLOAT8 = 701;
  public static final int TIMESTAMP = 1114;
  public static final int TIMESTAMPTZ = 1184;
  public static final int NUMERIC = 1700;
  public static final int JSONB = 3802;

  private static final Map<Integer, PgType> TYPES = new HashMap<>();

  static {
    scalar(BOOL, 1000, JsonKind.BOOLEAN);
    scalar(INT8, 1016, JsonKind.NUMBER);
    scalar(INT2, 1005, JsonKind.NUMBER);
    scalar(INT4, 1007, JsonKind.NUMBER);
    scalar(FLOAT4, 1021, JsonKind.NUMBER);
    scalar(FLOAT8, 1022, JsonKind.NUMBER);
    scalar(NUMERIC, 1231, JsonKind.NUMBER);
    scalar(JSON, 199, JsonKind.JSON);
    scalar(JSONB, 3807, JsonKind.JSON);
    scalar(TIMESTAMP, 1115, JsonKind.TIMESTAMP);
    scalar(TIMESTAMPTZ, 1185, JsonKind.TIMESTAMPTZ);
    // Common string types, so their arrays need no catalog lookup.
    scalar(TEXT, 1009, JsonKind.STRING);
    scalar(1043, 1015, JsonKind.STRING); // varchar
    scalar(1042, 1014, JsonKind.STRING); // bpchar
    scalar(2950, 2951, JsonKind.STRING); // uuid
    scalar(1082, 1182, JsonKind.STRING); // date
    scalar(1083, 1183, JsonKind.STRING); // time
    scalar(1266, 1270, JsonKind.STRING); // timetz
    scalar(1186, 1187, JsonKind.STRING); // interval
    scalar(17, 1001, JsonKind.STRING); // bytea
    // int2vector and oidvector: arrays whose text form is space-separated ("1 2"), as to_jsonb renders them.
    vector(22, 1006, TYPES.get(INT2));
    vector(30, 1013, PgType.scalar(26, JsonKind.STRING));
  }

  private static void vector(int oid, int arrayOid, PgType element) {
    PgType type = PgType.array(oid, element, ' ');
    TYPES.put(oid, type);
    TYPES.put(arrayOid, PgType.array(arrayOid, type, ','));
  }

  private static void scalar(int oid, int arrayOid, JsonKind kind) {
    PgType type = PgType.scalar(oid, kind);
    TYPES.put(oid, type);
    TYPES.put(arrayOid, PgType.array(arrayOid, type, ','));
  }

  /** The built-in type, or null when the OID is not one of the types above. */
  public static PgType find(int oid) {
    return TYPES.get(oid);
  }

  /** Resolves without a catalog: unknown OIDs are strings. */
  @Override
  public PgType resolve(int typeOid) {
    PgType type = TYPES.get(typeOid);
    return type != null ? type : PgType.scalar(typeOid, JsonKind.STRING);
  }
}
