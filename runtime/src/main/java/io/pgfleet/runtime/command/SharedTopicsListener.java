package io.pgfleet.runtime.command;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A service's listener of the shared command topics (tenancy {@code shared}, the default): it hands each poll's records to
 * the shared intake, at most {@code pgfleet.intake.batch} (default 32) taken together, and the offsets are committed after
 * each poll, where the handled records end; a record the intake must read again (after its back-off) is read again, as is
 * what escapes it. The service's class says only which topics ({@code @Topic} on its method); its consumer group is
 * {@code pgfleet.kafka.group-id} (each service's {@code application.yml}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Requires(property = "pgfleet.tenancy.mode", notEquals = "namespaced")
@KafkaListener(groupId = "${pgfleet.kafka.group-id}", offsetReset = OffsetReset.EARLIEST, batch = true, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR, retryCount = Integer.MAX_VALUE, retryDelay = "100ms"),
        pollTimeout = CommandIntake.POLL_TIMEOUT,
        properties = {@Property(name = "max.poll.records", value = "${pgfleet.intake.batch:32}"),
                @Property(name = "fetch.max.wait.ms", value = CommandIntake.FETCH_MAX_WAIT_MS)})
public @interface SharedTopicsListener {
}
