package io.pgfleet.events.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.validation.CommandValidator;
import io.pgfleet.events.validation.ValidationPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ReferenceExamplesTest {

    private final CommandValidator validator = new CommandValidator(ValidationPolicy.defaults());

    @Test
    void theCopyOfTheReferenceIsTheSeed() throws Exception {
        Path seed = Path.of("../../shared/seed/postgres-api-reference.md");
        Assumptions.assumeTrue(Files.exists(seed), "shared/ is not beside the repository");
        assertThat(ReferenceExamples.reference()).isEqualTo(Files.readString(seed, StandardCharsets.UTF_8));
    }

    @Test
    void theFourExampleDocumentsParseAndValidate() {
        List<ReferenceExamples.Block> documents = ReferenceExamples.documents();
        assertThat(documents).extracting(ReferenceExamples.Block::heading).containsExactly(
                "Configuration minimale", "Configuration complète", "Configuration haute disponibilité",
                "Configuration pour développement");
        for (ReferenceExamples.Block block : documents) {
            Parsed<Postgres> parsed = PayloadReader.fromText(block.text(), Postgres.class);
            assertThat(parsed.errors()).as(block.heading()).isEmpty();
            assertThat(validator.validate(parsed.value())).as(block.heading()).isEmpty();
        }
    }

    @Test
    void theCompleteExampleReadsEveryField() {
        Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(1).text(), Postgres.class).value();
        PostgresSpec spec = doc.spec();
        assertThat(doc.metadata().name()).isEqualTo("postgres-complete");
        assertThat(doc.metadata().namespace()).isNull();
        assertThat(spec.external()).isTrue();
        assertThat(spec.size()).isEqualTo("50Gi");
        assertThat(spec.replicas()).isEqualTo(3);
        assertThat(spec.storageClass()).isEqualTo("replicated");
        assertThat(spec.postgresql().parameters()).containsEntry("max_connections", 200)
                .containsEntry("shared_buffers", "256MB").containsEntry("effective_cache_size", "1GB");
        assertThat(spec.quorum().minSyncReplicas()).isEqualTo(1);
        assertThat(spec.quorum().maxSyncReplicas()).isEqualTo(2);
        assertThat(spec.users()).containsOnlyKeys("admin", "app_user", "readonly_user");
        assertThat(spec.users().get("readonly_user").replication()).isTrue();
        assertThat(spec.users().get("admin").password()).isEqualTo("secure-admin-password");
        assertThat(spec.databases().get("myapp").roles().admin()).containsExactly("admin", "app_user");
        assertThat(spec.databases().get("myapp").roles().readonly()).containsExactly("readonly_user");
        assertThat(spec.databases().get("analytics").extensions()).containsExactly("hstore", "pg_stat_statements");
        assertThat(spec.backup().enabled()).isTrue();
        assertThat(spec.backup().s3Bucket()).isEqualTo("s3.tenant.hikube.cloud/postgres-backups");
        assertThat(spec.backup().schedule()).isEqualTo("0 3 * * *");
        assertThat(spec.backup().cleanupStrategy()).isEqualTo("--keep-last=5 --keep-daily=7 --keep-within-weekly=2m");
        assertThat(spec.backup().resticPassword()).isEqualTo("your-restic-password");
    }

    @Test
    void theHighAvailabilityExampleKeepsItsNumbersTyped() {
        Postgres doc = PayloadReader.fromText(ReferenceExamples.documents().get(2).text(), Postgres.class).value();
        assertThat(doc.spec().postgresql().parameters())
                .containsEntry("checkpoint_completion_target", 0.9)
                .containsEntry("random_page_cost", 1.1)
                .containsEntry("effective_io_concurrency", 200)
                .containsEntry("wal_writer_delay", "200ms");
        assertThat(doc.spec().databases().get("production").roles().app()).containsExactly("app_user");
        assertThat(doc.spec().databases().get("production").roles().monitoring()).containsExactly("monitoring_user");
    }

    @Test
    void defaultsFillWhatTheMinimalExampleLeavesOut() {
        PostgresSpec spec = PayloadReader.fromText(ReferenceExamples.documents().get(0).text(), Postgres.class).value()
                .spec().effective();
        assertThat(spec.external()).isFalse();
        assertThat(spec.storageClass()).isEqualTo("replicated");
        assertThat(spec.quorum().minSyncReplicas()).isZero();
        assertThat(spec.quorum().maxSyncReplicas()).isZero();
        assertThat(spec.backup().enabled()).isFalse();
        assertThat(spec.backup().schedule()).isEqualTo("0 2 * * *");
        assertThat(spec.backup().s3Region()).isEqualTo("us-east-1");
    }

    @Test
    void everySectionSnippetParsesAndValidatesAsPartOfADocument() {
        List<ReferenceExamples.Block> sections = ReferenceExamples.sections();
        assertThat(sections).extracting(ReferenceExamples.Block::heading).containsExactly("Paramètres de performance",
                "Paramètres de réplication", "Structure des utilisateurs", "Exemples d'utilisateurs",
                "Structure des bases de données", "Paramètres S3");
        for (ReferenceExamples.Block block : sections) {
            Parsed<Postgres> parsed = PayloadReader.fromText(ReferenceExamples.asDocument(block, "section-example"), Postgres.class);
            assertThat(parsed.errors()).as(block.heading()).isEmpty();
            List<FieldError> errors = validator.validate(parsed.value());
            if (block.heading().equals("Structure des bases de données")) {
                // A template: its placeholders extension1 and extension2 are not real extensions.
                assertThat(errors).extracting(FieldError::path).containsExactly(
                        "spec.databases.database_name.extensions[0]", "spec.databases.database_name.extensions[1]");
                assertThat(errors.get(0).message()).contains("not an allowed extension");
            } else {
                assertThat(errors).as(block.heading()).isEmpty();
            }
        }
    }

    @Test
    void aDocumentWrittenAsJsonReadsBackEqual() throws Exception {
        for (ReferenceExamples.Block block : ReferenceExamples.documents()) {
            Postgres doc = PayloadReader.fromText(block.text(), Postgres.class).value();
            byte[] json = Json.mapper().writeValueAsBytes(doc);
            assertThat(PayloadReader.fromJson(json, Postgres.class).value()).isEqualTo(doc);
            assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("null");
        }
    }
}
