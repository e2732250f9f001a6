package social.caravan.core.signatures;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * PEM keys as ActivityPub publishes them (SPKI "PUBLIC KEY", also PKCS#1 "RSA PUBLIC KEY") and as we
 * keep ours (PKCS#8 "PRIVATE KEY"), RSA and Ed25519.
 */
public final class Keys {
    /** DER of the SPKI prefix before a PKCS#1 RSA public key, less its lengths (rsaEncryption, NULL). */
    private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
    /** The SPKI header of a raw 32-byte Ed25519 public key. */
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");

    private Keys() {}

    public record Pem(String publicKey, String privateKey) {}

    /** A new RSA 2048 key pair, PEM-encoded, as every actor gets. */
    public static Pem generateRsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new Pem(pem("PUBLIC KEY", pair.getPublic().getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is missing from this JDK", e);
        }
    }

    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /**
     * Reads a PEM public key, RSA or Ed25519.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static PublicKey publicKey(String pem) {
        String type = pemType(pem);
        byte[] der = pemBody(pem);
        try {
            if (type.equals("RSA PUBLIC KEY")) {
                return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(rsaSpki(der)));
            }
            if (!type.equals("PUBLIC KEY")) {
                throw new IllegalArgumentException("not a public key: " + type);
            }
            X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
            try {
                return KeyFactory.getInstance("RSA").generatePublic(spec);
            } catch (GeneralSecurityException notRsa) {
                return KeyFactory.getInstance("Ed25519").generatePublic(spec);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable public key", e);
        }
    }

    /** An Ed25519 public key from its 32 raw bytes (as JWK {@code x} and Multikey carry it). */
    public static PublicKey ed25519(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        byte[] der = new byte[ED25519_SPKI.length + 32];
        System.arraycopy(ED25519_SPKI, 0, der, 0, ED25519_SPKI.length);
        System.arraycopy(raw, 0, der, ED25519_SPKI.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable Ed25519 key", e);
        }
    }

    /** Reads a PKCS#8 PEM private key, RSA or Ed25519. */
    public static PrivateKey privateKey(String pem) {
        byte[] der = pemBody(pem);
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            try {
                return KeyFactory.getInstance("RSA").generatePrivate(spec);
            } catch (GeneralSecurityException notRsa) {
                return KeyFactory.getInstance("Ed25519").generatePrivate(spec);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable private key", e);
        }
    }

    private static String pemType(String pem) {
        int begin = pem.indexOf("-----BEGIN ");
        int end = begin < 0 ? -1 : pem.indexOf("-----", begin + 11);
        if (end < 0) {
            throw new IllegalArgumentException("not a PEM document");
        }
        return pem.substring(begin + 11, end).trim();
    }

    private static byte[] pemBody(String pem) {
        String type = pemType(pem);
        int start = pem.indexOf("-----", pem.indexOf("-----BEGIN ") + 11) + 5;
        int stop = pem.indexOf("-----END " + type);
        if (stop < start) {
            throw new IllegalArgumentException("not a PEM document");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(start, stop));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in a PEM document");
        }
    }

    /** Wraps a PKCS#1 RSAPublicKey in the SubjectPublicKeyInfo the JDK reads. */
    private static byte[] rsaSpki(byte[] pkcs1) {
        ByteArrayOutputStream bitString = new ByteArrayOutputStream();
        bitString.write(0); // no unused bits
        bitString.writeBytes(pkcs1);
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(RSA_ALGORITHM);
        inner.writeBytes(tlv(0x03, bitString.toByteArray()));
        return tlv(0x30, inner.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
