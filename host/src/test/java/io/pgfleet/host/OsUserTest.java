package io.pgfleet.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsUserTest {

    private static int id(String option, String account) {
        return Integer.parseInt(ProcessRunner.check(List.of("id", option, account), Map.of(), null, Duration.ofSeconds(30)).output().strip());
    }

    private static int attribute(Path file, String name) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aTreeIsHandedToTheAccountAndItsGroupLikeChownButNotWhatALinkPointsTo(@TempDir Path dir) throws Exception {
        assumeTrue(OsUser.isRoot(), "only root can hand files to another account");
        Path tree = Files.createDirectories(dir.resolve("member/data/base"));
        Files.writeString(tree.resolve("file"), "x");
        Path outside = Files.writeString(dir.resolve("outside"), "not the account's");
        Path link = Files.createSymbolicLink(tree.resolve("link"), outside);

        OsUser.forPostgres("nobody").own(dir.resolve("member"));

        int uid = id("-u", "nobody");
        int gid = id("-g", "nobody");
        for (Path file : List.of(dir.resolve("member"), dir.resolve("member/data"), tree, tree.resolve("file"), link)) {
            assertThat(attribute(file, "uid")).as("owner of %s", file).isEqualTo(uid);
            assertThat(attribute(file, "gid")).as("group of %s", file).isEqualTo(gid);
        }
        // chown -R changes the link, never the file it points to
        assertThat(attribute(outside, "uid")).isZero();
        // and what the account cannot reach without the tree's owner changing stays as it was
        assertThat(attribute(dir, "uid")).isZero();
    }

    @Test
    void aMissingTreeIsAClearError(@TempDir Path dir) {
        assumeTrue(OsUser.isRoot(), "only root can hand files to another account");
        assertThatThrownBy(() -> OsUser.forPostgres("nobody").own(dir.resolve("missing")))
                .hasMessageContaining("cannot hand " + dir.resolve("missing") + " to nobody");
    }

    @Test
    void withoutSwitchingAccountsNothingChanges(@TempDir Path dir) throws Exception {
        assumeTrue(!OsUser.isRoot(), "as root the account switches");
        int before = attribute(dir, "uid");
        OsUser.forPostgres("nobody").own(dir);
        assertThat(attribute(dir, "uid")).isEqualTo(before);
    }
}
