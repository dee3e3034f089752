package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.backup.plan.LoadPlan.Load;
import io.pgfleet.backup.plan.LoadPlan.Table;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadPlanTest {

    /** As pg_restore -l prints a dump (names with newlines have them as spaces). */
    private static final String LISTING = """
            ;
            ; Archive created at 2026-12-06 14:00:00 UTC
            ;     dbname: trap
            ;
            ; Selected TOC Entries:
            ;
            5; 2615 2200 SCHEMA - public pg_database_owner
            216; 1255 16390 FUNCTION public gate(integer) shop_owner
            217; 1259 16391 TABLE public guarded shop_owner
            218; 1259 16392 TABLE DATA x shop_owner
            3380; 0 16391 TABLE DATA public guarded shop_owner
            3381; 0 16400 TABLE DATA public audit postgres
            3382; 0 16401 TABLE DATA public SEQUENCE SET x postgres
            3383; 0 0 SEQUENCE SET public s_id_seq shop_owner
            3384; 0 0 BLOBS - BLOBS postgres
            3385; 0 16402 TABLE DATA other ledger reader
            """;

    private static final List<Table> TABLES = List.of(
            new Table("public", "guarded", "shop_owner", false),
            new Table("public", "audit", "postgres", true),
            new Table("public", "SEQUENCE SET x", "postgres", true),
            new Table("other", "ledger", "reader", false),
            new Table("public", "a -t b", "shop_owner", false),
            new Table("other", "entries", "shop_owner", false));

    @Test
    void theSuperuserLoadsEverythingButTheTablesDataAndEachOwnerItsOwnTablesBySchema() {
        LoadPlan plan = LoadPlan.of(LISTING, TABLES);
        assertThat(plan.superuserListing().lines()).containsExactly(
                "5; 2615 2200 SCHEMA - public pg_database_owner",
                "216; 1255 16390 FUNCTION public gate(integer) shop_owner",
                "217; 1259 16391 TABLE public guarded shop_owner",
                "3383; 0 0 SEQUENCE SET public s_id_seq shop_owner",
                "3384; 0 0 BLOBS - BLOBS postgres");
        assertThat(plan.loads()).containsExactly(
                new Load(null, "public", List.of("audit", "SEQUENCE SET x")),
                new Load("shop_owner", "public", List.of("guarded", "a -t b")),
                new Load("reader", "other", List.of("ledger")),
                new Load("shop_owner", "other", List.of("entries")));
        assertThat(plan.owners()).containsExactly("shop_owner", "reader");
    }

    @Test
    void aTableIsNamedByExactArgumentsThatNoNameCanWidenOrSplit() {
        Load load = new Load("shop_owner", "public", List.of("a -t b", "*", "-n"));
        assertThat(load.selection()).containsExactly("-n", "public", "-t", "a -t b", "-t", "*", "-t", "-n");
    }

    @Test
    void aTableOwnedByASuperuserWhoseNameLooksLikeAnotherKindOfEntryIsStillNotLoadedTwice() {
        // "TABLE DATA public SEQUENCE SET x postgres" is the data of table "SEQUENCE SET x": the owners' loads bring it.
        LoadPlan plan = LoadPlan.of(LISTING, TABLES);
        assertThat(plan.superuserListing()).doesNotContain("3382;").doesNotContain("TABLE DATA");
        assertThat(Arrays.asList(plan.superuserListing().split("\n"))).noneMatch(line -> line.startsWith(";"));
    }
}
