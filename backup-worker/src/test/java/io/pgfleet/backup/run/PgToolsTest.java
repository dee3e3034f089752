package io.pgfleet.backup.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.Endpoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgToolsTest {

    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 5432, "postgres", "s3cr3t-pw");

    @Test
    void aRepositoryThatCompressesGetsUncompressedDumpsAndOneThatCannotGetsZlibOnes() {
        PgTools tools = new PgTools("");
        assertThat(tools.dump(PRIMARY, "shop", true).argv()).containsSubsequence("-Fc", "-Z0", "-d", "dbname='shop'");
        assertThat(tools.dump(PRIMARY, "shop", Path.of("/w/shop.dump"), true).argv()).containsSubsequence("-Fc", "-Z0", "-d", "dbname='shop'", "-f",
                "/w/shop.dump");
        assertThat(tools.dump(PRIMARY, "shop", false).argv()).contains("-Fc").doesNotContain("-Z0");
        // The password travels in the environment only.
        assertThat(tools.dump(PRIMARY, "shop", true).argv()).doesNotContain("s3cr3t-pw");
        assertThat(tools.dump(PRIMARY, "shop", true).environment()).containsEntry("PGPASSWORD", "s3cr3t-pw");
    }

    @Test
    void aDatabaseNameIsOnlyEverANameAndEverySessionFixesItsSearchPath() {
        PgTools tools = new PgTools("");
        assertThat(tools.dump(PRIMARY, "host=127.0.0.2 port=1", true).argv()).containsSubsequence("-d", "dbname='host=127.0.0.2 port=1'");
        assertThat(tools.psql(PRIMARY, "it's \\ odd").argv()).containsSubsequence("-d", "dbname='it\\'s \\\\ odd'");
        assertThat(tools.dump(PRIMARY, "shop", true).environment()).containsEntry("PGOPTIONS", "-c search_path=pg_catalog,pg_temp");
        assertThat(tools.restore(PRIMARY, "shop", PgTools.Section.DATA, List.of()).environment()).containsEntry("PGOPTIONS", "-c search_path=pg_catalog,pg_temp");
    }

    @Test
    void aRestoreGoesInPartsTheSchemaCreatingTheDatabaseOrReplacingTheMaintenanceOnesObjects() {
        PgTools tools = new PgTools("");
        assertThat(tools.restore(PRIMARY, "shop", PgTools.Section.PRE_DATA, List.of()).argv())
                .containsSubsequence("--exit-on-error", "--create", "--section=pre-data", "-d", "postgres").doesNotContain("--clean");
        assertThat(tools.restore(PRIMARY, "postgres", PgTools.Section.PRE_DATA, List.of()).argv())
                .containsSubsequence("--clean", "--if-exists", "--section=pre-data", "-d", "postgres").doesNotContain("--create");
        assertThat(tools.restore(PRIMARY, "a=b", PgTools.Section.DATA, List.of("-n", "public", "-t", "orders")).argv())
                .endsWith("--section=data", "-d", "dbname='a=b'", "-n", "public", "-t", "orders");
        assertThat(tools.restore(PRIMARY, "shop", PgTools.Section.POST_DATA, List.of()).argv())
                .endsWith("--section=post-data", "-d", "dbname='shop'");
        assertThat(PgTools.fromFile(tools.restore(PRIMARY, "shop", PgTools.Section.DATA, List.of()), Path.of("/w/shop.dump")).argv())
                .containsSubsequence("--section=data", "-j").endsWith("/w/shop.dump");
        assertThat(tools.listing(Path.of("/w/shop.dump")).argv()).endsWith("-l", "/w/shop.dump");
    }
}
