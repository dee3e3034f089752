package io.pgfleet.clusters.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.PoolerEndpoint;
import org.junit.jupiter.api.Test;

/** {@code SHOW POOLS} as psql prints it, summed over the pools, the console's own left out. */
class PoolerStatsTest {

    @Test
    void thePoolsAreSummedAndTheLongestWaitKept() {
        String shown = """
                database|user|cl_active|cl_waiting|cl_active_cancel_req|cl_waiting_cancel_req|sv_active|sv_active_cancel|sv_being_canceled|sv_idle|sv_used|sv_tested|sv_login|maxwait|maxwait_us|pool_mode
                appdb|app|480|20|0|0|20|0|0|0|0|0|0|1|250000|transaction
                appdb|pgfleet_pooler|0|0|0|0|0|0|0|1|0|0|0|0|0|transaction
                shop|app|3|0|0|0|1|0|0|2|0|0|0|0|900000|transaction
                pgbouncer|pgbouncer|1|0|0|0|0|0|0|0|0|0|0|7|0|statement
                """;
        assertThat(PoolerStats.parse(shown)).contains(new PoolerEndpoint.Use(483, 20, 21, 3, 1.25));
    }

    @Test
    void anOutputWithoutTheColumnsIsNoFigure() {
        assertThat(PoolerStats.parse("")).isEmpty();
        assertThat(PoolerStats.parse("database|user\nappdb|app\n")).isEmpty();
    }
}
