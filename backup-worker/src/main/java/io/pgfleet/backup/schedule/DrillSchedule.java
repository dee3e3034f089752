package io.pgfleet.backup.schedule;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.validation.CronExpression;
import jakarta.inject.Singleton;

/**
 * When restore drills run: an instance's own schedule ({@code spec.backup.verifySchedule}), else the operator's
 * {@code pgfleet.backup.verify.schedule} (a 5-field cron expression, UTC; empty, the default: no scheduled drills).
 */
@Singleton
public class DrillSchedule {

    private final String operatorDefault;

    public DrillSchedule(@Value("${pgfleet.backup.verify.schedule:}") String operatorDefault) {
        if (!operatorDefault.isBlank()) {
            CronExpression.parse(operatorDefault);   // a wrong setting stops the service at start, with the rule it breaks
        }
        this.operatorDefault = operatorDefault.isBlank() ? null : operatorDefault.strip();
    }

    /** The schedule an instance's drills follow: its own, or the operator's; {@code null} when there is none. */
    public String effective(String instanceSchedule) {
        return instanceSchedule != null ? instanceSchedule : operatorDefault;
    }
}
