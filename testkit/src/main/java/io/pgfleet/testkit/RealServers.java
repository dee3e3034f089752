package io.pgfleet.testkit;

import io.pgfleet.servers.PostgresServer;
import io.pgfleet.servers.S3Server;
import io.pgfleet.servers.KafkaBroker;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands real servers to a test class: declare a parameter of type
 * {@link KafkaBroker} (the JVM's shared broker), {@link PostgresServer} or {@link S3Server} (one
 * of each per test class, stopped after it) in a constructor, a {@code @BeforeAll} or a test.
 *
 * <pre>{@code
 * @ExtendWith(RealServers.class)
 * class SomethingIT {
 *     @Test
 *     void works(KafkaBroker kafka, PostgresServer postgres) { ... }
 * }
 * }</pre>
 */
public final class RealServers implements ParameterResolver, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServers.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaBroker.class || type == PostgresServer.class || type == S3Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == KafkaBroker.class) {
            return SharedKafka.get();
        }
        ExtensionContext.Store store = classContext(context).getStore(NAMESPACE);
        if (type == PostgresServer.class) {
            return store.getOrComputeIfAbsent(PostgresServer.class, k -> PostgresServer.start(), PostgresServer.class);
        }
        if (type == S3Server.class) {
            return store.getOrComputeIfAbsent(S3Server.class, k -> S3Server.start(), S3Server.class);
        }
        throw new ParameterResolutionException("no real server of type " + type);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        PostgresServer postgres = store.remove(PostgresServer.class, PostgresServer.class);
        S3Server s3 = store.remove(S3Server.class, S3Server.class);
        if (postgres != null) {
            postgres.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestClass().isPresent() && current.getParent().isPresent()
                && current.getParent().get().getTestClass().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }
}
