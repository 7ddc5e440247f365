/*
 * The two JNI entry points the Native Image builder's progress reporter (com.oracle.svm.hosted.ProgressReporterCHelper)
 * loads from <java.home>/lib/svm/builder/lib/libreporterchelper.so. GraalVM distributions ship that library; the
 * builder's jars on Maven Central do not, and the builder stops without it. Written for ARIA's
 * deploy/native/native-build.sh: the terminal's width in columns and the process's peak resident set in bytes.
 */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass cls) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    return -1;
}

JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass cls) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        return (jlong) usage.ru_maxrss * 1024; /* Linux reports kilobytes */
    }
    return -1;
}
