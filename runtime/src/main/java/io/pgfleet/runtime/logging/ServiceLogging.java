package io.pgfleet.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * The services' log configuration, made in code: one line per event on standard output, with the instance and the
 * command it concerns ({@code instance} and {@code commandId} from the MDC), INFO and above, the chatty client libraries
 * at WARN. The same as the {@code logback.xml} it replaces, without parsing XML at every start (logback's XML
 * configuration loaded some 400 classes, about 0.15 s of a service's start on 2 cores).
 *
 * <p>Registered as a logback {@link Configurator} by each service ({@code META-INF/services}). It steps aside when a
 * configuration file is named ({@code -Dlogback.configurationFile=...}, an operator's own) or a {@code logback-test.xml}
 * is on the classpath (the tests'), and logback then reads that file as usual. Levels can still be changed at run time
 * through Micronaut's {@code logger.levels.*}.
 */
public class ServiceLogging extends ContextAwareBase implements Configurator {

    /** The line of every event. */
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%X{instance:-} %X{commandId:-}] %logger{30} - %msg%n";

    /** Loggers kept at WARN: their INFO lines are configuration dumps and connection chatter. */
    private static final List<String> QUIET = List.of("org.apache.kafka", "kafka", "com.zaxxer.hikari", "org.flywaydb");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || ServiceLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void apply(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    }
}
