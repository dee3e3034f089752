package io.pgfleet.runtime.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServiceLoggingTest {

    @Test
    void anEventIsOneLineWithItsInstanceAndCommandAndTheClientLibrariesOnlyWarn() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ServiceLogging.apply(context);
            context.getMDCAdapter().put("instance", "default/orders");
            context.getMDCAdapter().put("commandId", "c-1");
            context.getLogger("io.pgfleet.provisioner.Something").info("instance ready");
            context.getMDCAdapter().clear();
            context.getLogger("io.pgfleet.provisioner.Something").debug("not shown");
            context.getLogger("org.apache.kafka.clients.NetworkClient").info("not shown either");
            context.getLogger("org.flywaydb.core.Flyway").warn("schema is newer");
            assertThat(context.getLogger("kafka").getEffectiveLevel()).isEqualTo(Level.WARN);
            assertThat(context.getLogger("com.zaxxer.hikari.pool.HikariPool").getEffectiveLevel()).isEqualTo(Level.WARN);
        } finally {
            System.setOut(out);
            context.stop();
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[default/orders c-1\\] i\\.p\\.provisioner\\.Something - instance ready");
        assertThat(lines[1]).endsWith("WARN  [ ] org.flywaydb.core.Flyway - schema is newer");
    }

    @Test
    void itStepsAsideForATestConfiguration() {
        // This module's tests have a logback-test.xml: logback goes on to read it.
        LoggerContext context = new LoggerContext();
        ServiceLogging logging = new ServiceLogging();
        logging.setContext(context);
        assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }
}
