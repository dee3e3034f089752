package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The local stack runs the services with the JVM settings the images have (Jib's JAVA_TOOL_OPTIONS in the parent pom). */
class ServiceJvmTest {

    @Test
    void theImagesAndTheLocalStackRunTheSameJvmSettings() {
        assertThat(imageFlags()).isEqualTo(ServiceJvm.FLAGS);
    }

    /** The JVM flags the images set (the JAVA_TOOL_OPTIONS of Jib's container environment). */
    static List<String> imageFlags() {
        try {
            String pom = Files.readString(Path.of(System.getProperty("pgfleet.home", "..")).resolve("pom.xml"));
            Matcher options = Pattern.compile("<JAVA_TOOL_OPTIONS>([^<]+)</JAVA_TOOL_OPTIONS>").matcher(pom);
            assertThat(options.find()).as("JAVA_TOOL_OPTIONS in the parent pom's Jib environment").isTrue();
            return Arrays.asList(options.group(1).strip().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
