package io.pgfleet.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.nio.file.OpenOption;
import java.util.Set;

/**
 * Files root writes into a tree an instance's account owns (its member directories, its data directory), written so
 * that nothing the account planted there redirects the write: below the deepest ancestor root owns, every directory is
 * opened relative to its parent without following a symbolic link ({@link SecureDirectoryStream}, i.e. openat with
 * O_NOFOLLOW), the content goes to a new file of a random name created exclusively with its permissions (never
 * world-readable for a moment), which then replaces the file by a rename in that same directory. A symbolic link
 * anywhere on the way fails the write. Not run as root, there is no other account to guard against, and the same write
 * goes through the path.
 */
public final class NoFollowFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private NoFollowFiles() {
    }

    /** Writes {@code text} to {@code file} with {@code permissions} (e.g. {@code rw-------}), replacing it whole. */
    public static void write(Path file, String text, String permissions) {
        write(file, text.getBytes(StandardCharsets.UTF_8), permissions);
    }

    /** Writes {@code bytes} to {@code file} with {@code permissions}, replacing it whole. */
    public static void write(Path file, byte[] bytes, String permissions) {
        Path absolute = file.toAbsolutePath().normalize();
        Path trusted = trustedAncestor(absolute.getParent());
        Path relative = trusted.relativize(absolute);
        try {
            DirectoryStream<Path> top = Files.newDirectoryStream(trusted);
            if (!(top instanceof SecureDirectoryStream<Path> directory)) {
                top.close();
                throw new IOException("this platform cannot open directories without following links");
            }
            SecureDirectoryStream<Path> current = directory;
            try {
                for (int i = 0; i < relative.getNameCount() - 1; i++) {
                    SecureDirectoryStream<Path> next = current.newDirectoryStream(relative.getName(i), LinkOption.NOFOLLOW_LINKS);
                    current.close();
                    current = next;
                }
                Path name = relative.getFileName();
                Path partial = Path.of("." + name + "." + HexFormat.of().formatHex(randomBytes()) + ".new");
                try (SeekableByteChannel channel = current.newByteChannel(partial,
                        Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)))) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                current.move(partial, current, name);
            } finally {
                current.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + absolute + " (without following links): " + e.getMessage(), e);
        }
    }

    /**
     * The deepest ancestor of {@code dir} (itself included) that root owns and no one else may write, so that no other
     * account could have replaced anything from there up; {@code dir} itself when this JVM is not root.
     */
    static Path trustedAncestor(Path dir) {
        if (!OsUser.isRoot()) {
            return dir;
        }
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            try {
                if (!Files.isSymbolicLink(candidate) && rootOnly(candidate, 022) && rootAbove(candidate.getParent())) {
                    return candidate;
                }
            } catch (IOException e) {
                // not there (yet) or not readable: look higher
            }
        }
        return dir.getRoot();
    }

    /** Whether every directory from {@code dir} up is root's and no one else may replace its entries (sticky counts). */
    private static boolean rootAbove(Path dir) throws IOException {
        for (Path above = dir; above != null; above = above.getParent()) {
            if (!rootOnly(above, 002)) {
                return false;
            }
        }
        return true;
    }

    /** Root owns it, and none of {@code writeBits} is set unless the sticky bit keeps others from renaming its entries. */
    private static boolean rootOnly(Path path, int writeBits) throws IOException {
        int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return uid == 0 && ((mode & writeBits) == 0 || (mode & 01000) != 0);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
