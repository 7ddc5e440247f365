package dev.aria.nativeimage;

import com.twelvemonkeys.imageio.plugins.bmp.BMPImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.bmp.BMPImageWriterSpi;
import com.twelvemonkeys.imageio.plugins.bmp.CURImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.bmp.ICOImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.bmp.ICOImageWriterSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageWriterSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import com.twelvemonkeys.imageio.stream.BufferedFileImageInputStreamSpi;
import com.twelvemonkeys.imageio.stream.BufferedInputStreamImageInputStreamSpi;
import com.twelvemonkeys.imageio.stream.BufferedRAFImageInputStreamSpi;

import dev.aria.problem.Problem;
import dev.aria.rest.GenerationProgress;
import dev.aria.rest.GenerationResult;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Everything a native executable must be told about that Quarkus cannot find by itself, in one place. None of it has
 * any effect on the JVM build.
 *
 * <p>The rest of the native configuration lives in {@code application.properties} (section "Native image": resources
 * and build arguments) and in {@code META-INF/native-image/dev.aria/aria/jni-config.json} (ONNX Runtime's JNI
 * call-backs). Each holder class below names one reason; add a class rather than widen one.
 *
 * <p>Service providers: Quarkus builds native images with GraalVM's automatic service-loader registration switched off
 * ({@code -H:-UseServiceLoaderFeature}, see {@code quarkus.native.auto-service-loader-registration}), so every
 * {@link java.util.ServiceLoader} provider the application relies on needs two things: its
 * {@code META-INF/services/<interface>} file included as a resource ({@code quarkus.native.resources.includes}) and its
 * public no-argument constructor registered for reflection (here). That is what an extension's
 * {@code ServiceProviderBuildItem} does; an application does it with these two mechanisms.
 */
public final class NativeImageRegistrations {

    private NativeImageRegistrations() {
    }

    /**
     * JSON bodies Quarkus REST cannot see: resource methods' return types are registered automatically, but
     * {@link Problem} leaves through exception mappers as a {@code Response} entity, whose type is unknown at build
     * time, and the data of the server-sent events of {@code POST /generate/events} is serialised by the application
     * itself ({@code GenerationEvents}). Jackson needs the records' accessors and canonical constructors.
     */
    @RegisterForReflection(targets = { Problem.class, Problem.FieldError.class, GenerationProgress.class,
            GenerationResult.class, GenerationResult.RollNote.class })
    static final class JsonBodies {
    }

    /**
     * TwelveMonkeys ImageIO plug-ins, listed in their jars' {@code META-INF/services/javax.imageio.spi.*} files and
     * instantiated by {@code IIORegistry.registerApplicationClasspathSpis()} (called by {@code ImageIO.scanForPlugins()}
     * in {@code ImageDecoder}). Every provider named in those files must be constructible: the registry rethrows a
     * {@code ServiceConfigurationError} for any that is not, so the writers and the ICO/CUR readers are here too even
     * though the service only reads JPEG, WebP and BMP. quarkus-awt covers the JDK's own plug-ins (PNG, GIF, BMP, JPEG),
     * which the registry creates directly; see quarkusio/quarkus#44622 for the service files it does not register.
     */
    @RegisterForReflection(targets = {
            JPEGImageReaderSpi.class, JPEGImageWriterSpi.class,
            WebPImageReaderSpi.class,
            BMPImageReaderSpi.class, BMPImageWriterSpi.class,
            CURImageReaderSpi.class, ICOImageReaderSpi.class, ICOImageWriterSpi.class,
            BufferedFileImageInputStreamSpi.class, BufferedRAFImageInputStreamSpi.class,
            BufferedInputStreamImageInputStreamSpi.class }, classNames = {
                    // public class inside a package-private one: not referable from here
                    "com.twelvemonkeys.imageio.color.ProfileDeferralActivator$Spi",
                    // loaded with Class.forName by ProfileDeferralActivator's static initialiser
                    "java.awt.image.ColorConvertOp" })
    static final class ImageIoPlugins {
    }

    /**
     * The JDK's Standard MIDI File writer and reader, which {@code MidiSystem.write}/{@code getSequence} find through
     * {@code ServiceLoader}. On the JVM they come from {@code java.desktop}'s module descriptor; a native image
     * iterates only {@code META-INF/services} files (GraalVM substitutes the module-based lookup away), so
     * {@code src/main/resources/META-INF/services/javax.sound.midi.spi.MidiFile{Writer,Reader}} name them. The JVM
     * ignores those two files: it skips class-path entries that name a class of a named module.
     */
    @RegisterForReflection(classNames = {
            "com.sun.media.sound.StandardMidiFileWriter",
            "com.sun.media.sound.StandardMidiFileReader" })
    static final class MidiFileProviders {
    }
}
