package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberConnectionsTest {

    private final MemberConnections connections = new MemberConnections();

    @Test
    void aMemberCountedWhileItWasMadeIsCountedAgainOnceComplete(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        // looked at before its initdb: nothing there yet
        assertThat(connections.sizeOf(data, false)).isZero();
        Files.createDirectories(data);
        Files.write(data.resolve("pg_control"), new byte[8192]);
        // the next step's look, moments later, still being made: the count of a moment ago serves
        assertThat(connections.sizeOf(data, false)).isZero();
        // complete: what it holds now, not the count from while it was made
        assertThat(connections.sizeOf(data, true)).isEqualTo(8192);
        Files.write(data.resolve("more"), new byte[100]);
        // and a complete member's count serves for a while (the walk is the expensive part of watching many instances)
        assertThat(connections.sizeOf(data, true)).isEqualTo(8192);
    }
}
