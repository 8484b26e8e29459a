package io.bemi.ingester.values;

/** Finds out how values of a type OID are rendered; implementations may ask the source catalog. */
@FunctionalInterface
public interface TypeResolver {

  PgType resolve(int typeOid);
}
