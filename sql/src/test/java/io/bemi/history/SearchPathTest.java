package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A low-privilege role that may create objects in public (PostgreSQL 14's default) plants
 * functions and operators named like the built-ins; a session whose search_path puts public
 * first then uses every bemi function and runs a revert and a restore. None of the planted
 * objects may run: each raises "hijacked" if called.
 */
@WithPostgres
class SearchPathTest {

  /** Same-named functions and operators, with signatures as good as or better than the built-ins'. */
  private static final String PLANT = """
      CREATE FUNCTION public.hijacked() RETURNS void LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
      CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format'; END$$;
      CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format'; END$$;
      CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: format'; END$$;
      CREATE FUNCTION public.to_jsonb(anyelement) RETURNS jsonb LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: to_jsonb'; END$$;
      CREATE FUNCTION public.jsonb_populate_record(anyelement, jsonb) RETURNS anyelement LANGUAGE plpgsql
        AS $$BEGIN RAISE EXCEPTION 'hijacked: jsonb_populate_record'; END$$;
      CREATE FUNCTION public.to_regclass(text) RETURNS regclass LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: to_regclass'; END$$;
      CREATE FUNCTION public.pg_logical_emit_message(boolean, text, text) RETURNS pg_lsn LANGUAGE plpgsql
        AS $$BEGIN RAISE EXCEPTION 'hijacked: pg_logical_emit_message'; END$$;
      CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: set_config'; END$$;
      CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: current_setting'; END$$;
      CREATE FUNCTION public.jsonb_object_keys(jsonb) RETURNS SETOF text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: jsonb_object_keys'; END$$;
      CREATE FUNCTION public.cardinality(anyarray) RETURNS int LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: cardinality'; END$$;
      CREATE FUNCTION public.strpos(text, text) RETURNS int LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: strpos'; END$$;
      CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: jsonb_typeof'; END$$;
      CREATE FUNCTION public.sha256(bytea) RETURNS bytea LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: sha256'; END$$;
      CREATE FUNCTION public.op_text(text, text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: text operator'; END$$;
      CREATE FUNCTION public.op_jsonb(jsonb, jsonb) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: jsonb operator'; END$$;
      CREATE FUNCTION public.op_jsonb_text(jsonb, text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: jsonb ? text'; END$$;
      CREATE FUNCTION public.op_arrow(jsonb, text) RETURNS jsonb LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: ->'; END$$;
      CREATE FUNCTION public.op_tstz(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: timestamptz operator'; END$$;
      CREATE FUNCTION public.op_bigint(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: bigint ='; END$$;
      CREATE FUNCTION public.op_int(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: integer ='; END$$;
      CREATE FUNCTION public.op_uuid(uuid, uuid) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: uuid ='; END$$;
      CREATE FUNCTION public.op_tid(tid, tid) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: tid ='; END$$;
      CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.op_text);
      CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.op_text);
      CREATE OPERATOR public.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.op_jsonb);
      CREATE OPERATOR public.<> (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.op_jsonb);
      CREATE OPERATOR public.@> (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = public.op_jsonb);
      CREATE OPERATOR public.? (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = public.op_jsonb_text);
      CREATE OPERATOR public.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = public.op_arrow);
      CREATE OPERATOR public.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.op_tstz);
      CREATE OPERATOR public.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.op_tstz);
      CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.op_bigint);
      CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.op_int);
      CREATE OPERATOR public.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = public.op_uuid);
      CREATE OPERATOR public.= (LEFTARG = tid, RIGHTARG = tid, FUNCTION = public.op_tid)""";

  private static List<String> column(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  @Test
  void everyBemiFunctionPinsItsSearchPathToPgCatalog(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("search_path_catalog");
    Trail.install(db);
    try (Connection c = db.connect()) {
      assertThat(column(c, "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'bemi'::regnamespace"
          + " AND NOT coalesce(p.proconfig @> '{\"search_path=pg_catalog, pg_temp\"}', false)")).isEmpty();
    }
  }

  @Test
  void plantedFunctionsAndOperatorsInPublicAreNeverCalled(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("search_path_hijack");
    Trail.install(db);
    db.execute("CREATE TABLE public.accounts (id int PRIMARY KEY, owner text, balance numeric, tags jsonb)");
    Trail.capture(db, "public.accounts");
    db.execute("INSERT INTO public.accounts VALUES (1, 'ann', 10, '{\"a\": 1}'), (2, 'bob', 20, NULL)");
    Instant beforeChanges = Instant.now();
    db.execute("SET bemi.test_context = '{\"requestId\": \"r-1\"}'; UPDATE public.accounts SET balance = 11 WHERE id = 1",
        "DELETE FROM public.accounts WHERE id = 2");
    db.execute("DO $$BEGIN CREATE ROLE bemi_mallory; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
        "GRANT CREATE, USAGE ON SCHEMA public TO bemi_mallory",
        "SET ROLE bemi_mallory; " + PLANT + "; RESET ROLE");
    String update = String.valueOf(db.queryValue("SELECT id FROM bemi.changes WHERE operation = 'UPDATE'"));
    String lsn = String.valueOf(db.queryValue("SELECT ('0/0'::pg_lsn + commit_lsn::numeric)::text FROM bemi.changes"
        + " WHERE operation = 'UPDATE'"));
    String xid = String.valueOf(db.queryValue("SELECT transaction_id FROM bemi.changes WHERE operation = 'UPDATE'"));

    try (Connection c = db.connect()) {
      c.createStatement().execute("SET search_path = public, pg_catalog");
      assertThatThrownBy(() -> column(c, "SELECT 1 WHERE 'a'::text = 'a'::text")) // the trap is live in this session
          .hasMessageContaining("hijacked: text operator");
      String at = "'" + beforeChanges + "'";
      for (String call : List.of(
          "SELECT count(*) FROM bemi.record_history('public.accounts', '1')",
          "SELECT bemi.record_as_of('public.accounts', '1', now())",
          "SELECT count(*) FROM bemi.table_as_of('public.accounts', now())",
          "SELECT bemi.commit_position_at(now())",
          "SELECT count(*) FROM bemi.change_diff('" + update + "')",
          "SELECT count(*) FROM bemi.change_columns",
          "SELECT count(*) FROM bemi.transaction_changes(" + xid + ")",
          "SELECT count(*) FROM bemi.transaction_commits(" + xid + ")",
          "SELECT count(*) FROM bemi.commit_changes('" + lsn + "')",
          "SELECT count(*) FROM bemi.context_changes('{\"requestId\": \"r-1\"}')",
          "SELECT count(*) FROM bemi.revert_plan(ARRAY['" + update + "']::uuid[])",
          "SELECT bemi.plan_digest(ARRAY['" + update + "']::uuid[])",
          "SELECT bemi.revert_sql('" + update + "')",
          "SELECT bemi.revert_commit_sql('" + lsn + "')",
          "SELECT bemi.revert_transaction_sql(" + xid + ")",
          "SELECT bemi.revert_context_sql('{\"requestId\": \"r-1\"}')",
          "SELECT count(*) FROM bemi.restore_counts(ARRAY['public.accounts'], " + at + ")",
          "SELECT bemi.restore_table_sql('public.accounts', " + at + ")",
          "SELECT bemi.replay_sql(" + at + ", now())",
          "SELECT bemi.create_history_view('public.accounts')",
          "SELECT bemi.refresh_history_views()",
          "SELECT count(*) FROM bemi.accounts_history")) {
        assertThat(column(c, call)).as(call).isNotEmpty();
      }

      BemiChanges.apply(c, column(c, "SELECT bemi.revert_sql('" + update + "')").get(0));
      assertThat(column(c, "SELECT pg_catalog.textin(pg_catalog.numeric_out(balance)) FROM public.accounts WHERE id OPERATOR(pg_catalog.=) 1"))
          .containsExactly("10");
      BemiChanges.apply(c, column(c, "SELECT bemi.restore_table_sql('public.accounts', " + at + ")").get(0));
    }
    try (Connection c = db.connect()) {
      assertThat(column(c, "SELECT t::text FROM public.accounts t ORDER BY id")).containsExactly("(1,ann,10,\"{\"\"a\"\": 1}\")", "(2,bob,20,)");
    }
  }
}
