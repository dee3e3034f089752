package io.pgfleet.clusters.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * The Kubernetes client of the {@code kubernetes} driver. In a pod it configures itself from the
 * service account; {@code pgfleet.kubernetes.master-url} points it elsewhere (tests: the mock server).
 */
@Factory
@Requires(property = "pgfleet.driver", value = "kubernetes")
public class KubernetesSettings {

    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient(@Value("${pgfleet.kubernetes.master-url:}") String masterUrl) {
        Config config = masterUrl.isBlank() ? Config.autoConfigure(null)
                : new ConfigBuilder().withMasterUrl(masterUrl).withTrustCerts(true).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
