package io.pgfleet.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a program prints is kept with a bound: its start and its end, never all of it. */
class ProcessOutputTest {

    @Test
    void aProgramThatPrintsWithoutEndKeepsItsStartAndItsEndOnly() {
        // 64 MiB of output: kept are the first 8 MiB and the last 256 KiB
        CommandResult result = ProcessRunner.run(List.of("sh", "-c", "echo first; head -c 67108864 /dev/zero | tr '\\\\0' x; echo; echo last words"),
                Map.of(), null, Duration.ofMinutes(1));
        assertThat(result.ok()).isTrue();
        assertThat(result.output()).startsWith("first\n").endsWith("last words\n").contains("bytes of output left out");
        assertThat(result.output().length()).isLessThan(ProcessRunner.MAX_HEAD + ProcessRunner.MAX_TAIL + 100);
    }

    @Test
    void aShortOutputIsKeptWhole() {
        ProcessRunner.BoundedOutput output = new ProcessRunner.BoundedOutput(4, 4);
        output.write("abcdefghij".getBytes(), 10);
        assertThat(output.text()).isEqualTo("abcd\n[… 2 bytes of output left out …]\nghij");
        ProcessRunner.BoundedOutput whole = new ProcessRunner.BoundedOutput(16, 4);
        whole.write("abc".getBytes(), 3);
        assertThat(whole.text()).isEqualTo("abc");
    }
}
