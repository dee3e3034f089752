package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Endpoints are judged by the address they reach, however it is written or whatever name leads to it. */
class S3EndpointsTest {

    private static final List<String> ANY_NAME = List.of("*");
    /** Names as a resolver would answer them, without asking one. */
    private static final Function<String, List<InetAddress>> DNS = name -> {
        Map<String, String> zone = Map.of("s3.tenant.example", "203.0.113.10", "metadata.attacker.example", "169.254.169.254",
                "rebind.attacker.example", "10.0.0.7", "v6.attacker.example", "::1", "mapped.attacker.example", "::ffff:127.0.0.1",
                "cgnat.attacker.example", "100.64.1.1");
        return zone.containsKey(name) ? List.of(address(zone.get(name))) : List.of();
    };

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "017700000001",
            "0x7F.0x00.0x00.0x01", "127.0.0.1.", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]",
            "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "[::ffff:169.254.169.254]", "[fe80::1]",
            "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "0.0.0.0", "0", "224.0.0.1", "255.255.255.255", "[fd00::1]",
            "[64:ff9b::127.0.0.1]", "[2002:7f00:1::]", "8.8.8.8", "0x08080808", "[2001:4860:4860::8888]"})
    void everyFormOfAnAddressIsRefusedUnderAnyName(String host) {
        assertThat(S3Endpoints.refusal(host + ":9000", ANY_NAME, DNS)).as(host).get().asString()
                .contains("is not allowed").contains("it is the IP address").contains("must be named there explicitly");
    }

    @Test
    void theFormsAreReadAsTheAddressTheyReach() {
        assertThat(IpLiterals.parse("2130706433")).contains(address("127.0.0.1"));
        assertThat(IpLiterals.parse("0x7f.1")).contains(address("127.0.0.1"));
        assertThat(IpLiterals.parse("0177.0.0.01")).contains(address("127.0.0.1"));
        assertThat(IpLiterals.parse("10.1")).contains(address("10.0.0.1"));
        assertThat(IpLiterals.parse("192.168.257")).contains(address("192.168.1.1"));
        assertThat(IpLiterals.parse("[::ffff:a9fe:a9fe]")).contains(address("169.254.169.254"));
        assertThat(IpLiterals.parse("s3.tenant.example")).isEmpty();
        assertThat(IpLiterals.parse("256.0.0.1")).isEmpty();
        assertThat(IpLiterals.parse("08.1.1.1")).isEmpty();
        assertThat(IpLiterals.isInternal(address("8.8.8.8"))).isFalse();
        assertThat(IpLiterals.isInternal(address("2001:4860:4860::8888"))).isFalse();
    }

    @Test
    void aNameIsJudgedByWhatItResolvesTo() {
        assertThat(S3Endpoints.refusal("s3.tenant.example", ANY_NAME, DNS)).isEmpty();
        assertThat(S3Endpoints.refusal("s3.tenant.example", List.of("*.tenant.example"), DNS)).isEmpty();
        assertThat(S3Endpoints.refusal("nowhere.example", ANY_NAME, DNS)).as("judged again when the worker connects").isEmpty();
        for (String name : List.of("metadata.attacker.example", "rebind.attacker.example", "v6.attacker.example", "mapped.attacker.example",
                "cgnat.attacker.example")) {
            assertThat(S3Endpoints.refusal(name, ANY_NAME, DNS)).as(name).get().asString().contains("an internal address");
            assertThat(S3Endpoints.refusal(name, List.of("*.attacker.example"), DNS)).as(name).get().asString().contains("an internal address");
        }
        assertThat(S3Endpoints.refusal("localhost:9000", ANY_NAME, DNS)).get().asString().contains("localhost must be named");
        assertThat(S3Endpoints.refusal("minio.localhost", ANY_NAME, DNS)).get().asString().contains("localhost must be named");
        assertThat(S3Endpoints.refusal("1.2.3.999", ANY_NAME, DNS)).get().asString().contains("never a number");
    }

    @Test
    void theSystemResolverIsAskedForNames() throws UnknownHostException {
        // this machine's own name resolves (from /etc/hosts) to one of its own addresses: never a public one
        String own = InetAddress.getLocalHost().getHostName();
        assertThat(S3Endpoints.refusal(own + ":9000", ANY_NAME)).as(own).get().asString().contains("an internal address");
    }

    @Test
    void anEntryThatNamesAnAddressAllowsItInEveryForm() {
        List<String> allowed = List.of("127.0.0.1:9000", "minio.internal");
        assertThat(S3Endpoints.refusal("127.0.0.1:9000", allowed, DNS)).isEmpty();
        assertThat(S3Endpoints.refusal("0x7f000001:9000", allowed, DNS)).isEmpty();
        assertThat(S3Endpoints.refusal("127.0.0.1:9001", allowed, DNS)).isPresent();
        assertThat(S3Endpoints.refusal("127.0.0.2:9000", allowed, DNS)).isPresent();
        assertThat(S3Endpoints.refusal("minio.internal:443", allowed, DNS)).as("a name the operator named, whatever it resolves to").isEmpty();
        assertThat(S3Endpoints.refusal("[::1]:9000", List.of("[::1]"), DNS)).isEmpty();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
