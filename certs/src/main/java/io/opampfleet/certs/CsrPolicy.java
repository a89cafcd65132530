package io.opampfleet.certs;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * What a certificate signing request may ask for before the CA signs it: a subject whose common
 * name matches a pattern, a client certificate only (no CA, no server or other key purposes), and
 * a validity the policy sets, not the requester.
 *
 * @param allowedCommonName the whole common name must match
 * @param validity how long the issued certificate is valid
 */
public record CsrPolicy(Pattern allowedCommonName, Duration validity) {
  public CsrPolicy {
    if (validity.isNegative() || validity.isZero()) {
      throw new PkiException("a CSR policy's validity must be positive, not " + validity);
    }
  }

  public static CsrPolicy clientCertificates(String commonNamePattern, Duration validity) {
    return new CsrPolicy(Pattern.compile(commonNamePattern), validity);
  }

  /**
   * Checks the request against the policy.
   *
   * @return the subject's common name
   * @throws PkiException with the reason when the request breaks the policy
   */
  public String check(PKCS10CertificationRequest csr) {
    JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(csr);
    PublicKey key = publicKey(request);
    verifySignature(csr, key);
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
      throw new PkiException("the CSR's RSA key has " + rsa.getModulus().bitLength() + " bits; at least 2048 are required");
    }
    KeyAlgorithm.of(key);
    String commonName = CertificateRequests.commonName(csr);
    if (!allowedCommonName.matcher(commonName).matches()) {
      throw new PkiException("the CSR's subject common name '" + commonName
          + "' is not allowed: the policy requires it to match " + allowedCommonName.pattern());
    }
    checkRequestedExtensions(csr);
    return commonName;
  }

  private static PublicKey publicKey(JcaPKCS10CertificationRequest request) {
    try {
      return request.getPublicKey();
    } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
      throw new PkiException("the CSR's public key cannot be read: " + e.getMessage(), e);
    }
  }

  private static void verifySignature(PKCS10CertificationRequest csr, PublicKey key) {
    boolean valid;
    try {
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (OperatorCreationException | PKCSException e) {
      valid = false;
    }
    if (!valid) {
      throw new PkiException("the CSR's signature does not verify: it was not signed by the key it carries");
    }
  }

  private static void checkRequestedExtensions(PKCS10CertificationRequest csr) {
    for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
      BasicConstraints constraints = BasicConstraints.fromExtensions(extensions);
      if (constraints != null && constraints.isCA()) {
        throw new PkiException("the CSR asks to be a certificate authority; only client certificates are issued");
      }
      KeyUsage usage = KeyUsage.fromExtensions(extensions);
      if (usage != null && (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign))) {
        throw new PkiException("the CSR asks for certificate or CRL signing; only client certificates are issued");
      }
      ExtendedKeyUsage purposes = ExtendedKeyUsage.fromExtensions(extensions);
      if (purposes != null) {
        for (KeyPurposeId purpose : purposes.getUsages()) {
          if (!purpose.equals(KeyPurposeId.id_kp_clientAuth)) {
            throw new PkiException("the CSR asks for the key purpose " + name(purpose.toOID())
                + "; only client authentication (clientAuth) is issued");
          }
        }
      }
      if (extensions.getExtension(Extension.nameConstraints) != null) {
        throw new PkiException("the CSR asks for name constraints; only client certificates are issued");
      }
    }
  }

  private static String name(ASN1ObjectIdentifier purpose) {
    if (purpose.equals(KeyPurposeId.id_kp_serverAuth.toOID())) {
      return "serverAuth";
    }
    if (purpose.equals(KeyPurposeId.id_kp_codeSigning.toOID())) {
      return "codeSigning";
    }
    return purpose.getId();
  }
}
