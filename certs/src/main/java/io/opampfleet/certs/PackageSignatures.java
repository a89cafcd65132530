package io.opampfleet.certs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;

/**
 * Detached signatures over package files: the publisher signs a file with its private key, and an
 * agent that trusts the matching public key (or a certificate holding it) checks the signature the
 * server offers with the file. SHA-256 with ECDSA or RSA, as the key's type says.
 */
public final class PackageSignatures {
  private PackageSignatures() {}

  public static byte[] sign(PrivateKey key, Path file) {
    KeyAlgorithm algorithm = key instanceof ECPrivateKey ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_2048;
    try {
      Signature signature = algorithm.signature();
      signature.initSign(key);
      feed(signature, file);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new PkiException("cannot sign " + file + " with this key: " + e.getMessage(), e);
    }
  }

  /** True only when {@code signature} was made over the file's content by the key {@code trusted} matches. */
  public static boolean verify(PublicKey trusted, Path file, byte[] signature) {
    try {
      Signature verifier = KeyAlgorithm.of(trusted).signature();
      verifier.initVerify(trusted);
      feed(verifier, file);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A signature that is not even well formed is no signature by this key.
      return false;
    }
  }

  /** The public key in a PEM file that holds a public key or a certificate. */
  public static PublicKey trustedKey(Path pem) {
    List<Object> objects = Pem.readAll(pem);
    for (Object object : objects) {
      if (object instanceof PublicKey key) {
        return key;
      }
      if (object instanceof X509Certificate certificate) {
        return certificate.getPublicKey();
      }
    }
    throw new PkiException(pem + ": holds no public key or certificate");
  }

  private static void feed(Signature signature, Path file) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        signature.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new PkiException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }
}
