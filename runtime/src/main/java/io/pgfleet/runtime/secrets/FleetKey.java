package io.pgfleet.runtime.secrets;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.secrets.Sealed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.lang.JoseException;
import io.pgfleet.events.secrets.Hmac;
import java.nio.file.StandardCopyOption;

/**
 * One RSA key pair of the fleet (jose4j): it seals values for an instance (JWE compact, {@code RSA-OAEP-256} +
 * {@code A256GCM}, the instance in the protected header) and, with its private half, opens them. Its id is the
 * key's JWK thumbprint (RFC 7638). The private key lives in a PKCS#8 PEM file, mode 0600.
 */
public final class FleetKey {

    private final RsaJsonWebKey jwk;

    private FleetKey(RsaJsonWebKey jwk) {
        this.jwk = jwk;
    }

    /** A public key, to seal with (a publisher's copy, from {@code GET /fleet/keys} or the local stack's file). */
    public static FleetKey ofPublic(String jwkJson) {
        try {
            JsonWebKey key = JsonWebKey.Factory.newJwk(jwkJson);
            if (!(key instanceof RsaJsonWebKey rsa)) {
                throw new IllegalArgumentException("the fleet key is not an RSA key");
            }
            return new FleetKey(withId(rsa));
        } catch (JoseException e) {
            throw new IllegalArgumentException("the fleet key cannot be read as a JWK: " + e.getMessage(), e);
        }
    }

    /** The key pair whose private key is in this PEM file. */
    public static FleetKey read(Path pemFile) {
        try {
            String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
            String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            RSAPublicKey publicKey = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            RsaJsonWebKey jwk = (RsaJsonWebKey) PublicJsonWebKey.Factory.newPublicJwk(publicKey);
            jwk.setPrivateKey(privateKey);
            return new FleetKey(withId(jwk));
        } catch (IOException e) {
            throw new UncheckedIOException("the fleet key file " + pemFile + " cannot be read: " + e.getClass().getSimpleName(), e);
        } catch (GeneralSecurityException | JoseException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException("the fleet key file " + pemFile + " is not an RSA private key in PKCS#8 PEM", e);
        }
    }

    /** Makes a new 3072-bit key pair in {@code pemFile} (mode 0600), unless the file exists; returns the key in it. */
    public static FleetKey createIfAbsent(Path pemFile) {
        if (!Files.exists(pemFile)) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(3072);
                byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
                String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
                Files.createDirectories(pemFile.toAbsolutePath().getParent());
                Path tmp = pemFile.resolveSibling(pemFile.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, pem, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(tmp, pemFile, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return read(pemFile);
    }

    private static RsaJsonWebKey withId(RsaJsonWebKey jwk) throws JoseException {
        jwk.setKeyId(jwk.calculateBase64urlEncodedThumbprint("SHA-256"));
        jwk.setUse("enc");
        jwk.setAlgorithm(KeyManagementAlgorithmIdentifiers.RSA_OAEP_256);
        return jwk;
    }

    /** A key for {@code purpose} derived from the private key (HMAC-SHA256 over the label, keyed by the PKCS#8 encoding). */
    byte[] derive(String purpose) {
        return Hmac.sha256(jwk.getPrivateKey().getEncoded(), purpose.getBytes(StandardCharsets.UTF_8));
    }

    public String id() {
        return jwk.getKeyId();
    }

    /** The public half as a JWK (JSON), what publishers seal with. */
    public String publicJwk() {
        return jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** Seals a value for an instance. */
    public String seal(String value, InstanceKey instance) {
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            jwe.setAlgorithmHeaderValue(Sealed.ALGORITHM);
            jwe.setEncryptionMethodHeaderParameter(Sealed.ENCRYPTION);
            jwe.setKeyIdHeaderValue(id());
            jwe.setHeader(Sealed.INSTANCE_HEADER, instance.toString());
            jwe.setKey(jwk.getPublicKey());
            jwe.setPlaintext(value);
            return jwe.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("sealing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a value sealed for {@code instance}.
     *
     * @throws IllegalArgumentException saying why not (never quoting the value)
     */
    String open(String sealed, InstanceKey instance) {
        if (jwk.getPrivateKey() == null) {
            throw new IllegalStateException("the fleet key " + id() + " has no private half here");
        }
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            jwe.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, Sealed.ALGORITHM));
            jwe.setContentEncryptionAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    ContentEncryptionAlgorithmIdentifiers.AES_256_GCM));
            jwe.setCompactSerialization(sealed);
            jwe.setKey(jwk.getPrivateKey());
            String plaintext = jwe.getPlaintextString();
            // The header is authenticated by the content encryption: read after decryption, it is the one that was sealed.
            if (!instance.toString().equals(jwe.getHeader(Sealed.INSTANCE_HEADER))) {
                throw new IllegalArgumentException("is sealed for another instance than " + instance);
            }
            return plaintext;
        } catch (JoseException e) {
            throw new IllegalArgumentException("does not open with the fleet key " + id() + " (sealed for another fleet or key, or altered)");
        }
    }
}
