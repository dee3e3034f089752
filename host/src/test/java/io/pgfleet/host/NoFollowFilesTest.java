package io.pgfleet.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes into a tree another account could have changed: no link on the way is followed, no file is readable for a moment. */
class NoFollowFilesTest {

    @TempDir
    Path root;

    @Test
    void aFileIsWrittenWholeWithItsPermissionsFromTheStart() throws Exception {
        Path file = root.resolve("member/data/postgresql.auto.conf");
        Files.createDirectories(file.getParent());
        NoFollowFiles.write(file, "work_mem = '8MB'\n", "rw-------");
        NoFollowFiles.write(file, "work_mem = '16MB'\n", "rw-------");
        assertThat(Files.readString(file)).isEqualTo("work_mem = '16MB'\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(file.getParent())) {
            assertThat(left.toList()).containsExactly(file);
        }
    }

    @Test
    void aLinkInPlaceOfTheFileIsReplacedNotFollowed() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path dir = Files.createDirectories(root.resolve("member/data"));
        Files.createSymbolicLink(dir.resolve("standby.signal"), outside.resolve("target"));
        NoFollowFiles.write(dir.resolve("standby.signal"), "", "rw-------");
        assertThat(Files.isSymbolicLink(dir.resolve("standby.signal"))).isFalse();
        assertThat(outside.resolve("target")).doesNotExist();
    }

    @Test
    void aLinkInPlaceOfADirectoryOnTheWayFailsTheWrite() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.createDirectories(root.resolve("member"));
        Files.createSymbolicLink(root.resolve("member/data"), outside);
        assertThatThrownBy(() -> NoFollowFiles.write(root.resolve("member/data/postgresql.auto.conf"), "x", "rw-------"))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("without following links");
        try (var written = Files.list(outside)) {
            assertThat(written.toList()).isEmpty();
        }
    }
}
