package io.pgfleet.provisioner.command;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.validation.Quantity;
import io.pgfleet.provisioner.instance.InstancePhase;
import io.pgfleet.provisioner.instance.InstanceRepository;
import io.pgfleet.provisioner.instance.InstanceRow;
import io.pgfleet.provisioner.instance.Specs;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.runtime.command.CommandHandler;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.Member;
import io.pgfleet.events.command.SwitchoverCommand;
import io.pgfleet.provisioner.instance.SwitchoverJob;
import io.pgfleet.runtime.job.JobKind;

/**
 * Provision, scale, switchover and delete: the rules that need the instance's current state, and the job that
 * carries the command out. Runs inside the intake transaction.
 */
@Singleton
public class ProvisionerCommands implements CommandHandler {

    private final InstanceRepository instances;
    private final JobRepository jobs;
    private final Clock clock;
    private final ClusterDriver driver;

    public ProvisionerCommands(InstanceRepository instances, JobRepository jobs, Clock clock, ClusterDriver driver) {
        this.instances = instances;
        this.jobs = jobs;
        this.clock = clock;
        this.driver = driver;
    }

    @Override
    public Set<CommandType> commandTypes() {
        return Set.of(CommandType.PROVISION, CommandType.SCALE, CommandType.DELETE, CommandType.SWITCHOVER);
    }

    @Override
    public List<FieldError> check(DecodedCommand command) {
        Optional<InstanceRow> existing = instances.findById(command.instance().toString());
        List<FieldError> errors = new ArrayList<>();
        if (existing.isPresent() && existing.get().phase().equals(InstancePhase.DELETING.name())) {
            errors.add(new FieldError("", "instance " + command.instance() + " is being deleted"));
            return errors;
        }
        switch (command.type()) {
            case PROVISION -> existing.ifPresent(row -> {
                ClusterSpec current = Specs.read(row.spec());
                ClusterSpec wanted = ClusterSpec.of(((Postgres) command.payload()).spec());
                checkSize("spec.size", current, wanted, errors);
                if (!current.storageClass().equals(wanted.storageClass())) {
                    errors.add(new FieldError("spec.storageClass", "cannot change: the volumes of the instance are of storage class '"
                            + current.storageClass() + "'"));
                }
            });
            case SCALE -> {
                if (existing.isEmpty()) {
                    errors.add(noSuchInstance(command.instance()));
                    break;
                }
                ScaleCommand scale = (ScaleCommand) command.payload();
                ClusterSpec current = Specs.read(existing.get().spec());
                ClusterSpec wanted = current.scaled(scale);
                checkSize("size", current, wanted, errors);
                if (wanted.minSyncReplicas() > wanted.maxSyncReplicas()) {
                    errors.add(new FieldError("quorum.minSyncReplicas", "must not be greater than maxSyncReplicas ("
                            + wanted.maxSyncReplicas() + "), got " + wanted.minSyncReplicas()));
                }
                if (wanted.maxSyncReplicas() >= wanted.replicas()) {
                    errors.add(scale.quorum() != null && scale.quorum().maxSyncReplicas() != null
                            ? new FieldError("quorum.maxSyncReplicas", "must be lower than replicas (" + wanted.replicas() + "), got "
                            + wanted.maxSyncReplicas())
                            : new FieldError("replicas", "must stay greater than quorum.maxSyncReplicas (" + wanted.maxSyncReplicas()
                            + "), got " + wanted.replicas()));
                }
            }
            case DELETE -> {
                if (existing.isEmpty()) {
                    errors.add(noSuchInstance(command.instance()));
                }
            }
            case SWITCHOVER -> checkSwitchover(command, existing, errors);
            default -> throw new IllegalArgumentException("not a provisioner command: " + command.type());
        }
        return errors;
    }

    @Override
    public String accept(DecodedCommand command) {
        String key = command.instance().toString();
        Instant now = Instant.now(clock);
        Optional<InstanceRow> existing = instances.findById(key);
        JobKind type = JobKind.of(command.type());
        switch (command.type()) {
            case PROVISION -> {
                ClusterSpec wanted = ClusterSpec.of(((Postgres) command.payload()).spec());
                String message = (existing.isPresent() ? "updating to " : "provisioning ") + members(wanted.replicas());
                if (existing.isPresent()) {
                    instances.updateSpec(key, Specs.write(wanted), InstancePhase.PROGRESSING.name(), message);
                } else {
                    instances.save(new InstanceRow(key, command.instance().namespace(), command.instance().name(), Specs.write(wanted),
                            InstancePhase.PROGRESSING.name(), message, now, now, null, null));
                }
                jobs.save(JobRow.pending(key, command.commandId(), type, Specs.write(wanted), now));
                return message;
            }
            case SCALE -> {
                ClusterSpec wanted = Specs.read(existing.orElseThrow().spec()).scaled((ScaleCommand) command.payload());
                String message = "scaling to " + members(wanted.replicas()) + ", quorum " + wanted.minSyncReplicas() + "-"
                        + wanted.maxSyncReplicas() + ", size " + wanted.size();
                instances.updateSpec(key, Specs.write(wanted), InstancePhase.PROGRESSING.name(), message);
                jobs.save(JobRow.pending(key, command.commandId(), type, Specs.write(wanted), now));
                return message;
            }
            case SWITCHOVER -> {
                SwitchoverCommand switchover = (SwitchoverCommand) command.payload();
                String from = primaryOf(command.instance()).orElseThrow();
                String message = "switching over from " + from + " to " + (switchover.to() == null ? "the standby that received the most"
                        : switchover.to());
                instances.updatePhase(key, InstancePhase.PROGRESSING.name(), message);
                jobs.save(JobRow.pending(key, command.commandId(), type,
                        new SwitchoverJob(Specs.read(existing.orElseThrow().spec()), from, switchover.to()).write(), now));
                return message;
            }
            case DELETE -> {
                instances.updatePhase(key, InstancePhase.DELETING.name(), "deleting; backups are kept");
                jobs.save(JobRow.pending(key, command.commandId(), type, null, now));
                return "deleting the instance; its backups are kept";
            }
            default -> throw new IllegalArgumentException("not a provisioner command: " + command.type());
        }
    }

    /** A switchover needs a running primary and a standby; the member asked for must be one of the instance's standbys. */
    private void checkSwitchover(DecodedCommand command, Optional<InstanceRow> existing, List<FieldError> errors) {
        if (existing.isEmpty()) {
            errors.add(noSuchInstance(command.instance()));
            return;
        }
        String to = ((SwitchoverCommand) command.payload()).to();
        List<String> members = driver.observe(command.instance()).members().stream().map(Member::name).toList();
        Optional<String> primary = primaryOf(command.instance());
        if (primary.isEmpty() || members.size() < 2) {
            errors.add(new FieldError("instance", "instance " + command.instance() + (primary.isEmpty() ? " has no running primary to hand over from"
                    : " has no standby to switch over to")));
        } else if (to != null && !members.contains(to)) {
            errors.add(new FieldError("to", "'" + to + "' is not a member of " + command.instance() + "; its members are " + members));
        } else if (to != null && to.equals(primary.get())) {
            errors.add(new FieldError("to", "'" + to + "' is already the primary"));
        }
    }

    private Optional<String> primaryOf(InstanceKey key) {
        return driver.observe(key).members().stream().filter(m -> "primary".equals(m.role()) && "running".equals(m.state()))
                .map(Member::name).findFirst();
    }

    private static void checkSize(String path, ClusterSpec current, ClusterSpec wanted, List<FieldError> errors) {
        if (Quantity.bytes(wanted.size()).compareTo(Quantity.bytes(current.size())) < 0) {
            errors.add(new FieldError(path, "may only grow: the volumes have " + current.size() + ", asked " + wanted.size()));
        }
    }

    private static FieldError noSuchInstance(InstanceKey key) {
        return new FieldError("instance", "no instance " + key + " has been provisioned");
    }

    private static String members(int n) {
        return n + " member" + (n == 1 ? "" : "s");
    }
}
