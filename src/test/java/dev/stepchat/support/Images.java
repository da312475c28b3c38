package dev.stepchat.support;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small real images of each accepted type, for uploads. */
public final class Images {

    /** A 1×1 lossless WebP (the JDK writes no WebP). */
    private static final String WEBP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";

    private Images() {}

    public static byte[] png() {
        return write("png");
    }

    public static byte[] jpeg() {
        return write("jpg");
    }

    public static byte[] gif() {
        return write("gif");
    }

    public static byte[] webp() {
        return Base64.getDecoder().decode(WEBP);
    }

    private static byte[] write(String format) {
        BufferedImage image = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 16; x++) {
            for (int y = 0; y < 12; y++) {
                image.setRGB(x, y, new Color(x * 15, y * 20, 120).getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("No ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
