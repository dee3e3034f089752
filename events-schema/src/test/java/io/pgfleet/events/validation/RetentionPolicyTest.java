package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void theReferenceStrategiesBecomeArguments() {
        List<String> errors = new ArrayList<>();
        assertThat(RetentionPolicy.parse("--keep-last=5 --keep-daily=7 --keep-within-weekly=2m", errors).flags())
                .containsExactly("--keep-last=5", "--keep-daily=7", "--keep-within-weekly=2m");
        assertThat(RetentionPolicy.parse("  --keep-last=10\t--keep-daily=14 --keep-within-weekly=1m ", errors).flags())
                .containsExactly("--keep-last=10", "--keep-daily=14", "--keep-within-weekly=1m");
        assertThat(RetentionPolicy.parse("--keep-within=1y6m --keep-tag=monthly --keep-tag=release:1.0", errors).flags())
                .containsExactly("--keep-within=1y6m", "--keep-tag=monthly", "--keep-tag=release:1.0");
        assertThat(errors).isEmpty();
    }

    @Test
    void everyBadWordIsReportedAndNothingIsReturned() {
        List<String> errors = new ArrayList<>();
        assertThat(RetentionPolicy.parse("--keep-last=3; rm -rf /", errors)).isNull();
        assertThat(errors).hasSize(4);
        assertThat(errors.get(0)).contains("'--keep-last=3;'");
        assertThat(errors.get(1)).contains("'rm' is not an allowed");
    }

    @Test
    void aFlagGivenTwiceIsRefused() {
        List<String> errors = new ArrayList<>();
        RetentionPolicy.parse("--keep-last=3 --keep-last=4", errors);
        assertThat(errors).containsExactly("--keep-last is given twice");
    }

    @Test
    void flagsThatDeleteOrChangeBehaviourAreRefused() {
        for (String word : List.of("--prune", "--dry-run", "--keep-last", "--keep-last 3", "--group-by=host", "--keep-tag=$(id)",
                "--keep-within=2w", "--keep-hourly=1e3")) {
            List<String> errors = new ArrayList<>();
            assertThat(RetentionPolicy.parse(word, errors)).as(word).isNull();
            assertThat(errors).as(word).isNotEmpty();
        }
    }

    @Test
    void theWindowIsTheLongestAnyFlagKeeps() {
        assertThat(window("--keep-last=10 --keep-daily=14 --keep-within-weekly=1m")).isEqualTo(30);   // the reference's complete example
        assertThat(window("--keep-last=10")).isEqualTo(10);
        assertThat(window("--keep-weekly=3 --keep-daily=7")).isEqualTo(21);
        assertThat(window("--keep-within=1y6m")).isEqualTo(545);
        assertThat(window("--keep-hourly=30")).isEqualTo(2);
        assertThat(window("--keep-tag=release")).isEqualTo(1);
    }

    private static int window(String text) {
        return RetentionPolicy.parse(text, new ArrayList<>()).windowDays();
    }
}
