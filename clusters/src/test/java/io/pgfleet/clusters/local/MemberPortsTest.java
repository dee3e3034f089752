package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberPortsTest {

    @Test
    void aPortRecordedForAMemberOfAnotherInstanceIsNotGivenAgainEvenWhileItIsStillFree(@TempDir Path dir) throws Exception {
        Path defaultClass = dir.resolve("standard");
        Path fastClass = dir.resolve("elsewhere/fast");
        write(defaultClass.resolve("default/shop/members.json"), "{\"1\":21001,\"2\":21002}");
        write(defaultClass.resolve("team-b/blog/members.json"), "{\"1\":21003}");
        write(fastClass.resolve("default/ledger/members.json"), "{\"1\":21004}");
        write(defaultClass.resolve("default/half-written/members.json"), "{\"1\":");

        Set<Integer> recorded = MemberPorts.recorded(Set.of(defaultClass, fastClass, dir.resolve("absent")));

        assertThat(recorded).containsExactlyInAnyOrder(21001, 21002, 21003, 21004);
        // The free ports offered: three that other members have recorded (not bound yet), then one nobody has.
        Iterator<Integer> free = List.of(21002, 21004, 21001, 21005).iterator();
        assertThat(MemberPorts.choose(recorded, free::next)).isEqualTo(21005);
    }

    @Test
    void whenEveryFreePortOfferedIsRecordedItSaysSoInsteadOfGivingOne() {
        assertThatThrownBy(() -> MemberPorts.choose(Set.of(21001), () -> 21001)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free port that no member has recorded");
    }

    private static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
