package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every type of the mapping table, stored and compared with to_jsonb on the source. */
@WithPostgres
@Tag("replication")
class TypeMappingTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
        "CREATE DOMAIN label AS text",
        """
        CREATE TABLE every_type (
          id int PRIMARY KEY,
          c_int2 smallint, c_int4 integer, c_int8 bigint, c_float4 real, c_float8 double precision,
          c_numeric numeric, c_numeric_scaled numeric(12,4), c_money money, c_bool boolean,
          c_text text, c_varchar varchar(20), c_bpchar char(5), c_char "char", c_name name, c_bytea bytea,
          c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz,
          c_interval interval, c_uuid uuid, c_json json, c_jsonb jsonb, c_xml xml,
          c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8, c_bit bit(4), c_varbit varbit,
          c_point point, c_box box, c_circle circle, c_int4range int4range, c_numrange numrange,
          c_tstzrange tstzrange, c_daterange daterange, c_int4multirange int4multirange,
          c_tsvector tsvector, c_oid oid, c_pg_lsn pg_lsn,
          c_enum mood, c_domain_int positive, c_domain_text label,
          c_int_array int[], c_text_array text[], c_int_matrix int[][], c_numeric_array numeric[],
          c_jsonb_array jsonb[], c_timestamptz_array timestamptz[], c_bool_array bool[], c_enum_array mood[],
          c_box_array box[], c_float8_array float8[], c_date_array date[], c_bounded_array int[]
        )""");
    harness = IngesterHarness.start(db);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void everyColumnOfEveryRowEqualsToJsonbOnTheSource(TestDatabase db) throws Exception {
    db.execute(
        """
        INSERT INTO every_type VALUES (1,
          -32768, 2147483647, 9223372036854775807, 1.5, 0.1,
          123456789012345678901234567890.123456789012345678901234567890, 12.3400, 1234.56, true,
          E'line\\nbreak\\ttab "quotes" \\\\ backslash é 😀', 'short', 'ab', 'x', 'a_name', '\\x000aff',
          '2024-02-29', '23:59:59.999999', '03:04:05+02', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5+01',
          '1 year 2 mons 3 days 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          '{"b": [1, 2.50, {"c": null}], "a": "x"}', '{"nested": {"deep": [true, false]}, "n": 1.000}', '<a>1</a>',
          '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'1010', B'101',
          '(1.5,2)', '((0,0),(1,1))', '<(1,1),2>', '[1,10)', '(0.5,1.5]',
          '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)', '[2024-01-01,2024-02-01)', '{[1,3), [5,7)}',
          'a fat cat', 4242, '16/B374D848',
          'happy', 7, 'a label',
          '{1,NULL,3}', '{"a b","c,d","e\\"f","NULL",NULL,""}', '{{1,2},{3,4}}', '{1.10,NaN,-2.5e-3}',
          ARRAY['{"k": [1]}'::jsonb, 'null'::jsonb], ARRAY['2024-01-02 03:04:05+00'::timestamptz, 'infinity'],
          '{t,f,NULL}', '{sad,happy}', ARRAY['((0,0),(1,1))'::box, '((2,2),(3,3))'::box],
          '{Infinity,-Infinity,NaN,1e-300}', '{2024-01-02,infinity}', '[0:1]={7,8}')""",
        """
        INSERT INTO every_type (id, c_numeric, c_float4, c_float8, c_timestamp, c_timestamptz, c_date, c_text, c_jsonb)
        VALUES (2, 'NaN', 'NaN', '-Infinity', 'infinity', '-infinity', '-infinity', '', '"just a string"')""",
        "INSERT INTO every_type (id, c_numeric, c_float8, c_timestamptz, c_jsonb, c_int_array) "
            + "VALUES (3, 'Infinity', 1e300, '0044-03-15 12:00:00+00 BC', '[]', '{}')",
        "INSERT INTO every_type (id) VALUES (4)");
    harness.awaitCaughtUp();

    List<String> mismatches = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = s.executeQuery("""
          SELECT t.id, k.key, c.after -> k.key AS stored, to_jsonb(t) -> k.key AS expected
            FROM every_type t
            JOIN bemi.changes c ON c."table" = 'every_type' AND c.primary_key = t.id::text
            CROSS JOIN LATERAL jsonb_object_keys(to_jsonb(t)) AS k(key)
           WHERE c.after -> k.key IS DISTINCT FROM to_jsonb(t) -> k.key""")) {
        while (rs.next()) {
          mismatches.add("row " + rs.getInt(1) + " " + rs.getString(2) + ": stored " + rs.getString(3)
              + ", to_jsonb " + rs.getString(4));
        }
      }
    }
    assertThat(harness.changes("\"table\" = 'every_type'")).hasSize(4);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void aStoredRowRebuildsTheSourceRowWithJsonbPopulateRecord(TestDatabase db) throws Exception {
    db.execute("INSERT INTO every_type (id, c_numeric, c_timestamptz, c_int_matrix, c_enum, c_bytea) "
        + "VALUES (10, 1.230, '2024-05-06 07:08:09.1+00', '{{1,2},{3,4}}', 'ok', '\\xdeadbeef')");
    harness.awaitCaughtUp();

    Object same = db.queryValue("""
        SELECT (jsonb_populate_record(NULL::every_type, c.after))::text = t::text
          FROM bemi.changes c JOIN every_type t ON t.id = 10
         WHERE c."table" = 'every_type' AND c.primary_key = '10'""");
    assertThat(same).isEqualTo(true);
  }
}
