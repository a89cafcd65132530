package io.opampfleet.certs;

import io.opampfleet.certs.internal.Providers;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The key types the PKI issues: ECDSA on P-256 by default, RSA on request. */
public enum KeyAlgorithm {
  EC_P256("ec-p256", "SHA256withECDSA"),
  RSA_2048("rsa-2048", "SHA256withRSA"),
  RSA_3072("rsa-3072", "SHA256withRSA");

  private final String cliName;
  private final String signatureAlgorithm;

  KeyAlgorithm(String cliName, String signatureAlgorithm) {
    this.cliName = cliName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  public KeyPair generate() {
    try {
      KeyPairGenerator generator;
      if (this == EC_P256) {
        generator = KeyPairGenerator.getInstance("EC", Providers.BOUNCY_CASTLE);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(this == RSA_2048 ? 2048 : 3072);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PkiException("this Java runtime cannot generate " + cliName + " keys", e);
    }
  }

  /** The provider that makes and signs with keys of this type fastest. */
  public Provider provider() {
    return this == EC_P256 ? Providers.BOUNCY_CASTLE : null;
  }

  /** A signature of this type's algorithm from its fastest provider. */
  public Signature signature() throws GeneralSecurityException {
    Provider provider = provider();
    return provider == null ? Signature.getInstance(signatureAlgorithm) : Signature.getInstance(signatureAlgorithm, provider);
  }

  /** A certificate and request signer for a private key of this type. */
  public ContentSigner contentSigner(PrivateKey key) {
    JcaContentSignerBuilder builder = new JcaContentSignerBuilder(signatureAlgorithm);
    if (provider() != null) {
      builder.setProvider(provider());
    }
    try {
      return builder.build(key);
    } catch (OperatorCreationException e) {
      throw new PkiException("cannot sign with this " + cliName + " key: " + e.getMessage(), e);
    }
  }

  /** The algorithm a key of this type signs certificates with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  public String cliName() {
    return cliName;
  }

  /** The algorithm of an existing public key, as far as this PKI knows it. */
  public static KeyAlgorithm of(PublicKey key) {
    if (key instanceof ECPublicKey) {
      return EC_P256;
    }
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength() > 2048 ? RSA_3072 : RSA_2048;
    }
    throw new PkiException("unsupported key type " + key.getAlgorithm() + ": use an EC P-256 or RSA key");
  }

  /** Parses the command line's name for a key type, such as {@code ec-p256}. */
  public static KeyAlgorithm parse(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(a -> a.cliName.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new PkiException("unknown key type '" + name + "': use one of "
            + Arrays.stream(values()).map(KeyAlgorithm::cliName).collect(Collectors.joining(", "))));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
