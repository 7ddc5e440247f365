package dev.aria.music;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees a direct buffer at once, as Netty and Lucene do, through {@code sun.misc.Unsafe#invokeCleaner} (module
 * {@code jdk.unsupported}). Without it a direct buffer's memory goes back only when a garbage collection finds the buffer
 * unreachable, which an idle service may not run for a long time. Where the method is not available the buffer is left
 * to the collector.
 */
final class DirectMemory {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private DirectMemory() {
    }

    /** Frees {@code buffer}, a direct buffer from {@code ByteBuffer.allocateDirect} (not a view of one). */
    static void free(ByteBuffer buffer) {
        if (UNSAFE != null && buffer.isDirect()) {
            UNSAFE.invokeCleaner(buffer);
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
