package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StagedDatabaseTest {

    /** What pg_restore --create -L (empty) -f - printed for a database with settings (PostgreSQL 15.18). */
    private static final String SQL = """
            \\restrict ss9ee3rRnuMzrCCccchl70QzVJqItd9nYuDaBlOwBZE9eYXetgK07ii29IclvXg
            SET client_encoding = 'UTF8';
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE DATABASE %1$s WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';
            ALTER DATABASE %1$s OWNER TO %2$s;
            \\unrestrict ss9ee3rRnuMzrCCccchl70QzVJqItd9nYuDaBlOwBZE9eYXetgK07ii29IclvXg
            \\connect %1$s
            ALTER DATABASE %1$s SET work_mem TO '7MB';
            ALTER DATABASE %1$s SET search_path TO 'app', 'it''s';
            ALTER ROLE %2$s IN DATABASE %1$s SET statement_timeout TO '5s';
            """;

    @Test
    void theStagingDatabaseIsMadeWithTheDumpsEncodingLocaleAndOwner() {
        StagedDatabase made = StagedDatabase.read(SQL.formatted("props", "tenant"), "props");
        assertThat(made.createStatement("\"pgfleet_restore_0011\""))
                .isEqualTo("CREATE DATABASE \"pgfleet_restore_0011\" WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc "
                        + "LOCALE = 'C.UTF-8' OWNER = tenant");
        assertThat(StagedDatabase.read(SQL.formatted("\"My \"\"Shop\"\"\"", "\"Ann O'Neil\""), "\"My \"\"Shop\"\"\"").owner())
                .isEqualTo("\"Ann O'Neil\"");
    }

    @Test
    void theStagingDatabaseHasTheDumpsSettingsWhileItLoads() {
        StagedDatabase made = StagedDatabase.read(SQL.formatted("props", "tenant"), "props");
        assertThat(made.settingStatements("\"pgfleet_restore_0011\"")).containsExactly(
                "ALTER DATABASE \"pgfleet_restore_0011\" SET work_mem TO '7MB'",
                "ALTER DATABASE \"pgfleet_restore_0011\" SET search_path TO 'app', 'it''s'",
                "ALTER ROLE tenant IN DATABASE \"pgfleet_restore_0011\" SET statement_timeout TO '5s'");
        assertThatThrownBy(() -> StagedDatabase.read(SQL.formatted("props", "tenant").replace("TO '7MB';", "TO '7MB'; ALTER ROLE x SUPERUSER;"),
                "props")).hasMessageContaining("settings of props do not read as pg_dump writes them");
    }

    @Test
    void aNameThatLooksLikeOptionsIsANameAndAnythingPgDumpDoesNotWriteIsRefused() {
        // The name is found as the server quotes it; what follows it must be options pg_dump writes, each one value.
        String hostile = "\"x WITH TEMPLATE = template0 ENCODING = 'SQL_ASCII'\"";
        StagedDatabase made = StagedDatabase.read(SQL.formatted(hostile, "tenant"), hostile);
        assertThat(made.options()).containsExactly("ENCODING = 'UTF8'", "LOCALE_PROVIDER = libc", "LOCALE = 'C.UTF-8'");
        assertThatThrownBy(() -> StagedDatabase.read(SQL.formatted("props", "tenant").replace("LOCALE = 'C.UTF-8';",
                "LOCALE = 'C.UTF-8'; ALTER ROLE tenant SUPERUSER;"), "props")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not read as pg_dump writes it");
        assertThatThrownBy(() -> StagedDatabase.read(SQL.formatted("props", "tenant").replace("LOCALE = 'C.UTF-8'",
                "IS_TEMPLATE = true"), "props")).hasMessageContaining("an option pgfleet does not restore: IS_TEMPLATE");
        assertThatThrownBy(() -> StagedDatabase.read(SQL.formatted("props", "tenant; ALTER ROLE x SUPERUSER"), "props"))
                .hasMessageContaining("does not read as one role");
        assertThatThrownBy(() -> StagedDatabase.read(SQL.formatted("other", "tenant"), "props")).hasMessageContaining("no CREATE DATABASE");
    }

    @Test
    void theNamesOfAJobsDatabasesAreTheSameForItsRetryAndApartForAnother() {
        assertThat(StagedDatabase.stagingName("41", "shop")).isEqualTo(StagedDatabase.stagingName("41", "shop")).startsWith("pgfleet_restore_")
                .isNotEqualTo(StagedDatabase.stagingName("42", "shop")).isNotEqualTo(StagedDatabase.stagingName("41", "stock"));
        assertThat(StagedDatabase.replacedName("41", "shop")).startsWith("pgfleet_replaced_")
                .endsWith(StagedDatabase.stagingName("41", "shop").substring("pgfleet_restore_".length()));
        assertThat(StagedDatabase.stagingName("41", "x".repeat(63))).hasSizeLessThanOrEqualTo(63);
    }
}
