package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The local stack runs the services with the JVM settings the images have (Jib's jvmFlags in the parent pom). */
class ServiceJvmTest {

    @Test
    void theImagesAndTheLocalStackRunTheSameJvmSettings() throws Exception {
        String pom = Files.readString(Path.of(System.getProperty("pgfleet.home", "..")).resolve("pom.xml"));
        Matcher flags = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(pom);
        List<String> image = new ArrayList<>();
        while (flags.find()) {
            image.add(flags.group(1));
        }
        assertThat(image).isEqualTo(ServiceJvm.FLAGS);
    }
}
