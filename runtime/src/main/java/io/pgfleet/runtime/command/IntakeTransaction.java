package io.pgfleet.runtime.command;

import io.micronaut.transaction.annotation.Transactional;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.validation.CommandValidator;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.secrets.FleetKeys;
import io.pgfleet.runtime.status.StatusOutbox;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The transactional part of the intake: dedupe, validate, decide the namespace's quotas ({@link NamespaceQuota}), record
 * work and status together.
 */
@Singleton
public class IntakeTransaction {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeTransaction.class);

    private final HandledCommandRepository handled;
    private final StatusOutbox status;
    private final CommandHandler handler;
    private final CommandValidator validator;
    private final FleetKeys keys;
    private final NamespaceQuota quota;

    public IntakeTransaction(HandledCommandRepository handled, StatusOutbox status, CommandHandler handler, PgfleetSettings settings,
                             FleetKeys keys, NamespaceQuota quota) {
        this.keys = keys;
        this.quota = quota;
        this.handled = handled;
        this.status = status;
        this.handler = handler;
        this.validator = new CommandValidator(settings.validationPolicy());
    }

    /**
     * A command as the intake read it.
     *
     * @param fingerprint     what the command says ({@link CommandFingerprint}): the same id with the same fingerprint is a
     *                        redelivery (nothing to do), with another one a reused id (answered {@code REJECTED})
     * @param answerNamespace the namespace whose status topics answer it (its topic's in tenant mode)
     * @param foreign         in tenant mode, why the command acts outside its topic's namespace ({@code null}: it does not)
     */
    public record Intake(DecodedCommand command, String fingerprint, String answerNamespace, FieldError foreign) {
    }

    /** Takes commands once each, in their order, in one transaction: all are recorded, or none. */
    @Transactional
    public void handleAll(List<Intake> intakes) {
        for (Intake intake : intakes) {
            try (MDC.MDCCloseable instance = MDC.putCloseable("instance", intake.command().instance().toString());
                 MDC.MDCCloseable id = MDC.putCloseable("commandId", intake.command().commandId())) {
                if (intake.foreign() != null) {
                    reject(intake.command(), intake.fingerprint(), intake.answerNamespace(), intake.foreign());
                } else {
                    handle(intake.command(), intake.fingerprint());
                }
            }
        }
    }

    private void handle(DecodedCommand command, String fingerprint) {
        String type = command.type().id();
        if (handled.recordFirst(command.instance().namespace(), command.commandId(), type, command.instance().toString(), fingerprint) == 0) {
            if (handled.recordedForAnother(command.instance().namespace(), command.commandId(), fingerprint)) {
                rejectReusedId(command);
            } else {
                LOG.info("{} command already handled; nothing to do", type);
            }
            return;
        }
        List<FieldError> errors = new ArrayList<>(command.errors());
        if (errors.isEmpty()) {
            errors.addAll(validator.validate(command.payload()));
        }
        if (errors.isEmpty()) {
            // Every service checks that the sealed fields open for this instance, so all answer alike; none keeps them opened.
            errors.addAll(keys.check(command.payload(), command.instance()));
        }
        if (errors.isEmpty()) {
            errors.addAll(handler.check(command));
        }
        if (errors.isEmpty()) {
            NamespaceQuota.Verdict verdict = quota.decide(command, fingerprint);
            if (verdict.idReused()) {
                // another service took this id for another command first: every service answers it so
                rejectReusedId(command);
                return;
            }
            errors.addAll(verdict.errors());
        }
        if (!errors.isEmpty()) {
            LOG.info("{} command rejected: {}", type, errors);
            status.command(new StatusOutbox.Answering(command.commandId(), type, command.instance()), Phase.REJECTED, "ValidationFailed",
                    "the " + type + " command is invalid (" + errors.size() + " error" + (errors.size() == 1 ? "" : "s")
                            + "); nothing was changed", null, errors, null);
            return;
        }
        String message = handler.accept(command);
        status.command(new StatusOutbox.Answering(command.commandId(), type, command.instance()), Phase.ACCEPTED, "Accepted", message, null, null, null);
        LOG.info("{} command accepted: {}", type, message);
    }

    private void rejectReusedId(DecodedCommand command) {
        String type = command.type().id();
        LOG.info("{} command id reused for another command; rejected", type);
        status.command(new StatusOutbox.Answering(command.commandId(), type, command.instance()), Phase.REJECTED, "CommandIdReused",
                "the command id " + command.commandId() + " was already used for another command in namespace '"
                        + command.instance().namespace() + "'; nothing was changed "
                        + "(give every command its own id)", null, null, null);
    }

    /**
     * Answers {@code REJECTED} a command that acts outside its publisher's namespace, on the status topics of
     * {@code answerNamespace} (where its publisher reads), changing nothing else; recorded as handled.
     */
    private void reject(DecodedCommand command, String fingerprint, String answerNamespace, FieldError error) {
        String type = command.type().id();
        if (handled.recordFirst(command.instance().namespace(), command.commandId(), type, command.instance().toString(), fingerprint) == 0) {
            return;
        }
        LOG.warn("{} command rejected: {}", type, error);
        status.emit(status.event(command.commandId(), type, command.instance(), Phase.REJECTED, "NamespaceNotAllowed",
                "the " + type + " command acts on namespace '" + command.instance().namespace() + "', not on its topic's ('"
                        + answerNamespace + "'); nothing was changed", List.of(error)), answerNamespace);
    }

    /** Answers a command that could not be taken: {@code FAILED}, and recorded as handled so a redelivery does nothing. */
    @Transactional
    public void fail(DecodedCommand command, String fingerprint, String message) {
        String type = command.type().id();
        if (handled.recordFirst(command.instance().namespace(), command.commandId(), type, command.instance().toString(), fingerprint) == 0) {
            return;
        }
        LOG.warn("{} command failed at intake: {}", type, message);
        status.command(new StatusOutbox.Answering(command.commandId(), type, command.instance()), Phase.FAILED, "IntakeFailed", message, null, null, null);
    }
}
