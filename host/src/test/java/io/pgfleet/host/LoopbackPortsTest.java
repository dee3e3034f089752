package io.pgfleet.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void aSinglePortIsNeverOneThatABlockCanHold() {
        IntStream.range(0, 300).map(i -> LoopbackPorts.free()).forEach(port -> assertThat(port).isBetween(22_000, 32_767));
    }

    @Test
    void aBlockIsFreeWholeAndInTheBlocksOwnRange() {
        for (int i = 0; i < 50; i++) {
            int base = LoopbackPorts.freeBlock(8);
            assertThat(base).isBetween(20_000, 22_000 - 8);
            IntStream.range(base, base + 8).forEach(port -> assertThat(LoopbackPorts.isFree(port)).as("port %d", port).isTrue());
        }
    }
}
