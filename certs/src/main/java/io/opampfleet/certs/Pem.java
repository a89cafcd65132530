package io.opampfleet.certs;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM text for certificates, PKCS#8 private keys and certificate requests. Every read error
 * names the file and the reason in one sentence.
 */
public final class Pem {
  private static final Set<StandardOpenOption> CREATE_NEW_FILE =
      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

  private Pem() {}

  /** PEM text of certificates, private keys (as PKCS#8) and certificate requests, in order. */
  public static String encode(Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /**
   * Writes PEM text to a file through a temporary file, so a reader never sees half of it. A file
   * holding a private key is readable by its owner only.
   */
  public static void write(Path file, Object... objects) {
    boolean secret = false;
    for (Object object : objects) {
      secret |= object instanceof PrivateKey;
    }
    Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(partial);
      // A new file (O_EXCL), not a truncated one: ext4 flushes truncated-and-rewritten files on
      // close, which makes writing thousands of certificates many times slower.
      try (SeekableByteChannel channel = Files.newByteChannel(partial, CREATE_NEW_FILE, permissions(secret))) {
        ByteBuffer text = ByteBuffer.wrap(encode(objects).getBytes(StandardCharsets.US_ASCII));
        while (text.hasRemaining()) {
          channel.write(text);
        }
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new PkiException(file + ": cannot be written: " + reason(e), e);
    }
  }

  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object object : readAll(file)) {
      if (object instanceof X509Certificate certificate) {
        certificates.add(certificate);
      }
    }
    if (certificates.isEmpty()) {
      throw new PkiException(file + ": holds no certificate");
    }
    return certificates;
  }

  public static X509Certificate readCertificate(Path file) {
    return readCertificates(file).get(0);
  }

  public static PrivateKey readPrivateKey(Path file) {
    return readOne(file, PrivateKey.class, "private key");
  }

  public static PKCS10CertificationRequest readCertificateRequest(Path file) {
    return readOne(file, PKCS10CertificationRequest.class, "certificate signing request");
  }

  /** Everything in a PEM file: certificates, private and public keys, certificate requests. */
  public static List<Object> readAll(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      return parse(file.toString(), reader);
    } catch (NoSuchFileException e) {
      throw new PkiException(file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new PkiException(file + ": cannot be read: permission denied");
    } catch (MalformedInputException e) {
      throw new PkiException(file + ": malformed PEM: the file is not text");
    } catch (IOException e) {
      throw new PkiException(file + ": malformed PEM: " + reason(e), e);
    }
  }

  /** Everything in PEM text that came from {@code source} (named in errors), such as a message field. */
  public static List<Object> parseAll(String source, String text) {
    try {
      return parse(source, new java.io.StringReader(text));
    } catch (IOException e) {
      throw new PkiException(source + ": malformed PEM: " + reason(e), e);
    }
  }

  /** The certificate signing request in PEM text. */
  public static PKCS10CertificationRequest parseCertificateRequest(String source, String text) {
    for (Object object : parseAll(source, text)) {
      if (object instanceof PKCS10CertificationRequest request) {
        return request;
      }
    }
    throw new PkiException(source + ": holds no certificate signing request");
  }

  private static List<Object> parse(String source, Reader reader) throws IOException {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(reader)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(convert(source, object));
      }
    } catch (RuntimeException e) {
      if (e instanceof PkiException pki) {
        throw pki;
      }
      throw new PkiException(source + ": malformed PEM: " + reason(e), e);
    } catch (MalformedInputException e) {
      throw e;
    } catch (IOException e) {
      if (e instanceof NoSuchFileException || e instanceof AccessDeniedException) {
        throw e;
      }
      throw new PkiException(source + ": malformed PEM: " + reason(e), e);
    }
    if (objects.isEmpty()) {
      throw new PkiException(source + ": malformed PEM: no '-----BEGIN ...-----' block found");
    }
    return objects;
  }

  private static <T> T readOne(Path file, Class<T> type, String description) {
    for (Object object : readAll(file)) {
      if (type.isInstance(object)) {
        return type.cast(object);
      }
    }
    throw new PkiException(file + ": holds no " + description);
  }

  private static Object convert(String file, Object object) throws PEMException {
    JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
    if (object instanceof X509CertificateHolder holder) {
      try {
        return new JcaX509CertificateConverter().getCertificate(holder);
      } catch (CertificateException e) {
        throw new PkiException(file + ": holds a certificate that cannot be decoded: " + reason(e), e);
      }
    }
    if (object instanceof PrivateKeyInfo info) {
      return keys.getPrivateKey(info);
    }
    if (object instanceof PEMKeyPair pair) {
      return keys.getPrivateKey(pair.getPrivateKeyInfo());
    }
    if (object instanceof SubjectPublicKeyInfo info) {
      PublicKey key = keys.getPublicKey(info);
      return key;
    }
    if (object instanceof PKCS10CertificationRequest) {
      return object;
    }
    if (object instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new PkiException(file + ": holds an encrypted private key; decrypt it first (openssl pkcs8 -in FILE -out KEY)");
    }
    throw new PkiException(file + ": holds a PEM block of an unsupported type (" + object.getClass().getSimpleName() + ")");
  }

  private static String reason(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }

  private static FileAttribute<?>[] permissions(boolean secret) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(secret ? OWNER_ONLY : READABLE)};
  }
}
