package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlobalsTest {

    private static final String ODD = "\"Odd \"\"name\"\"\"";
    private static final String DUMP = String.join("\n",
            "SET default_transaction_read_only = off;",
            "CREATE ROLE postgres;",
            "ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:a$b:c';",
            "CREATE ROLE shop_owner;",
            "ALTER ROLE shop_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:d$e:f';",
            "CREATE ROLE " + ODD + ";",
            "ALTER ROLE " + ODD + " WITH LOGIN;",
            "COMMENT ON ROLE " + ODD + " IS 'x';",
            "GRANT shop_owner TO " + ODD + " GRANTED BY postgres;");

    @Test
    void rolesTheInstanceHasAreLeftAloneAndTheOthersAreCreatedWithTheirPasswords() {
        String sql = Globals.forInstance(DUMP, Set.of("postgres", "Odd \"name\""));
        assertThat(sql).doesNotContain("CREATE ROLE postgres", "ALTER ROLE postgres", "CREATE ROLE \"Odd", "ALTER ROLE \"Odd", "COMMENT ON ROLE")
                .contains("CREATE ROLE shop_owner;", "PASSWORD 'SCRAM-SHA-256$4096:d$e:f'", "GRANT shop_owner TO " + ODD,
                        "SET default_transaction_read_only = off;");
    }

    @Test
    void aRoleWhoseNameStartsLikeAnExistingOneIsNotMistakenForIt() {
        String sql = Globals.forInstance(DUMP, Set.of("shop"));
        assertThat(sql).contains("CREATE ROLE shop_owner;");
    }

    @Test
    void pgDumpallsRestrictGuardIsDroppedAndAnyOtherMetaCommandRefused() {
        String guarded = "\\restrict AbC123\n" + DUMP + "\n\\unrestrict AbC123\n";
        assertThat(Globals.forInstance(guarded, Set.of())).doesNotContain("restrict").contains("CREATE ROLE shop_owner;");
        for (String meta : List.of("\\! touch /tmp/pwned", "  \\copy x from program 'id'", "\\i /etc/passwd", "\\connect template1")) {
            assertThatThrownBy(() -> Globals.forInstance(DUMP + "\n" + meta + "\n", Set.of()))
                    .hasMessageContaining("psql meta-command at line 10");
        }
    }
}
