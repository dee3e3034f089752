package io.pgfleet.backup.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.Endpoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgToolsTest {

    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 5432, "postgres", "s3cr3t-pw");
    private static final String SNAPSHOT = "00000003-0000001B-1";

    @Test
    void aRepositoryThatCompressesGetsUncompressedDumpsAndOneThatCannotGetsZlibOnes() {
        PgTools tools = new PgTools("");
        assertThat(tools.dump(PRIMARY, "shop", true, SNAPSHOT).argv()).containsSubsequence("-Fc", "-Z0", "-d", "dbname='shop'");
        assertThat(tools.dump(PRIMARY, "shop", Path.of("/w/shop.dump"), true, SNAPSHOT).argv()).containsSubsequence("-Fc", "-Z0", "-d", "dbname='shop'", "-f",
                "/w/shop.dump");
        assertThat(tools.dump(PRIMARY, "shop", false, SNAPSHOT).argv()).contains("-Fc").doesNotContain("-Z0");
        // From the snapshot the tables' rows were counted in.
        assertThat(tools.dump(PRIMARY, "shop", false, SNAPSHOT).argv()).contains("--snapshot=" + SNAPSHOT);
        // The password travels in the environment only.
        assertThat(tools.dump(PRIMARY, "shop", true, SNAPSHOT).argv()).doesNotContain("s3cr3t-pw");
        assertThat(tools.dump(PRIMARY, "shop", true, SNAPSHOT).environment()).containsEntry("PGPASSWORD", "s3cr3t-pw");
    }

    @Test
    void aDatabaseNameIsOnlyEverANameAndEverySessionFixesItsSearchPath() {
        PgTools tools = new PgTools("");
        assertThat(tools.dump(PRIMARY, "host=127.0.0.2 port=1", true, SNAPSHOT).argv()).containsSubsequence("-d", "dbname='host=127.0.0.2 port=1'");
        assertThat(tools.psql(PRIMARY, "it's \\ odd").argv()).containsSubsequence("-d", "dbname='it\\'s \\\\ odd'");
        assertThat(tools.dump(PRIMARY, "shop", true, SNAPSHOT).environment()).containsEntry("PGOPTIONS", "-c search_path=pg_catalog,pg_temp");
        assertThat(tools.restore(PRIMARY, "shop", PgTools.Section.DATA, List.of()).environment()).containsEntry("PGOPTIONS", "-c search_path=pg_catalog,pg_temp");
    }

    @Test
    void aRestoreGoesInPartsIntoTheStagingDatabaseOrReplacingTheMaintenanceOnesObjects() {
        PgTools tools = new PgTools("");
        assertThat(tools.restore(PRIMARY, "pgfleet_restore_0123", PgTools.Section.PRE_DATA, List.of()).argv())
                .containsSubsequence("--exit-on-error", "--section=pre-data", "-d", "dbname='pgfleet_restore_0123'")
                .doesNotContain("--clean", "--create");
        assertThat(tools.restore(PRIMARY, "postgres", PgTools.Section.PRE_DATA, List.of()).argv())
                .containsSubsequence("--clean", "--if-exists", "--section=pre-data", "-d", "dbname='postgres'").doesNotContain("--create");
        assertThat(tools.restore(PRIMARY, "a=b", PgTools.Section.DATA, List.of("-n", "public", "-t", "orders")).argv())
                .endsWith("--section=data", "-d", "dbname='a=b'", "-n", "public", "-t", "orders");
        assertThat(tools.restore(PRIMARY, "shop", PgTools.Section.POST_DATA, List.of()).argv())
                .endsWith("--section=post-data", "-d", "dbname='shop'");
        assertThat(PgTools.fromFile(tools.restore(PRIMARY, "shop", PgTools.Section.DATA, List.of()), Path.of("/w/shop.dump")).argv())
                .containsSubsequence("--section=data", "-j").endsWith("/w/shop.dump");
        assertThat(tools.listing(Path.of("/w/shop.dump")).argv()).endsWith("-l", "--create", "/w/shop.dump");
    }

    @Test
    void theDatabasesPropertiesGoOnPastTheOneErrorOfItsExistingAndNoOther() {
        PgTools tools = new PgTools("");
        assertThat(tools.properties(PRIMARY, Path.of("/w/list")).argv()).containsSubsequence("--create", "-d", "postgres", "-L", "/w/list")
                .doesNotContain("--exit-on-error");
        assertThat(tools.properties(PRIMARY, Path.of("/w/list")).environment()).containsEntry("PGOPTIONS", "-c lc_messages=C");
        String existed = """
                pg_restore: error: could not execute query: ERROR:  database "shop" already exists
                Command was: CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';


                pg_restore: warning: errors ignored on restore: 1""";
        assertThat(PgTools.onlyTheDatabaseExisted(1, existed)).isTrue();
        assertThat(PgTools.onlyTheDatabaseExisted(0, "")).isTrue();
        String more = """
                pg_restore: error: could not execute query: ERROR:  database "shop" already exists
                Command was: CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';
                pg_restore: error: could not execute query: ERROR:  role "gone" does not exist
                Command was: GRANT CONNECT ON DATABASE shop TO gone;
                pg_restore: warning: errors ignored on restore: 2""";
        assertThat(PgTools.onlyTheDatabaseExisted(1, more)).isFalse();
        assertThat(PgTools.onlyTheDatabaseExisted(1, "pg_restore: error: connection to server failed")).isFalse();
    }
}
