package io.pgfleet.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Every log event of the test JVM, kept for checks that no secret was logged. */
public final class LogCapture {

    private static final ListAppender<ILoggingEvent> EVENTS = new ListAppender<>();

    static {
        EVENTS.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(EVENTS);
    }

    private LogCapture() {
    }

    /** Everything logged so far, messages and MDC. */
    public static String text() {
        StringBuilder text = new StringBuilder();
        EVENTS.list.forEach(e -> text.append(e.getFormattedMessage()).append(e.getMDCPropertyMap()).append('\n'));
        return text.toString();
    }
}
