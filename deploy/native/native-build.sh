#!/usr/bin/env bash
# Tries to build ARIA's native executable without a GraalVM or Mandrel distribution (none is reachable here): the
# Native Image builder as Maven Central publishes it (org.graalvm.nativeimage:svm and its dependencies, see
# builder-pom.xml), run on the machine's Temurin 25 with JVMCI, over what Quarkus writes with
# -Dquarkus.native.sources-only=true. Steps, each logged under target/native-builder/:
#   1. ./mvnw -f deploy/native/builder-pom.xml dependency:copy-dependencies  -> target/native-builder/jars/
#   2. ./mvnw package -DskipTests -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true
#                                                                             -> target/native-sources/
#   3. runs com.oracle.svm.hosted.NativeImageGeneratorRunner directly. The `native-image` launcher (the driver that
#      turns native-image.args into builder options) is not published, so this script does its part: the builder's
#      JVM flags and module path, the image class path from the runner jar's manifest, and the driver options
#      Quarkus writes (--features, --initialize-at-run-time, ...) as the hosted options (-H:...) they stand for.
#
# Where it stops and what is missing is written in deploy/README.md ("Native executable"). Exits with the builder's
# status. Environment: JAVA25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), BUILDER_XMX (default 6g),
# SKIP_SOURCES=1 (reuse target/native-sources), PROBE_EMPTY_STATIC_LIBS=1 (see below).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
java25_home="${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work="$root/target/native-builder"
sources="$root/target/native-sources"
jars="$work/jars"
mkdir -p "$work"

say() { printf '[native-build] %s\n' "$*"; }
low() { nice -n 19 "$@"; }

[ -x "$java25_home/bin/java" ] || { say "no JDK 25 at $java25_home (JAVA25_HOME)"; exit 2; }

# --- 1. the builder's jars --------------------------------------------------------------------------------------------
if ! ls "$jars"/svm-[0-9]*.jar >/dev/null 2>&1; then
    say "resolving the builder from Maven Central"
    low ./mvnw -B -q -f deploy/native/builder-pom.xml dependency:copy-dependencies -Dnative.builder.dir="$work"
fi
say "builder jars: $(cd "$jars" && ls | tr '\n' ' ')"

# --- 2. Quarkus' native sources -----------------------------------------------------------------------------------------
if [ "${SKIP_SOURCES:-0}" != 1 ] || [ ! -f "$sources/native-image.args" ]; then
    say "writing target/native-sources with Quarkus (log: $work/sources.log)"
    low ./mvnw -B package -DskipTests -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true \
        >"$work/sources.log" 2>&1 || { tail -n 20 "$work/sources.log"; exit 1; }
fi

# --- 3. the builder ------------------------------------------------------------------------------------------------------
# A private "GraalVM home": the JDK 25, hard-linked (no copy of its bytes), plus what the builder looks up under
# java.home and Maven Central does not carry. So far: lib/svm/builder/lib/libreporterchelper.so, the progress
# reporter's JNI helper, compiled from deploy/native/reporterchelper.c (the builder stops without it), and the headers
# below.
home="$work/graalvm-home"
if [ ! -x "$home/bin/java" ]; then
    rm -rf "$home"
    cp -al "$java25_home" "$home" 2>/dev/null || cp -a "$java25_home" "$home"
fi
mkdir -p "$home/lib/svm/builder/lib"
low gcc -shared -fPIC -O2 -I"$home/include" -I"$home/include/linux" \
    -o "$home/lib/svm/builder/lib/libreporterchelper.so" deploy/native/reporterchelper.c
java25_home="$home"
# The C headers of the builder's own helpers (include/amd64cpufeatures.h, include/svm_locale.h), generated from
# svm.jar's declarations by deploy/native/svm_headers.py. The first -H:CLibraryPath is where the builder looks for them.
clibraries="$home/lib/svm/clibraries/linux-amd64"
python3 deploy/native/svm_headers.py "$home/bin/javap" "$(ls "$jars"/svm-[0-9]*.jar)" "$clibraries" >/dev/null

runner_jar=$(cd "$sources" && ls ./*-runner.jar | head -n 1)
runner_jar="$sources/${runner_jar#./}"
image_name=$(basename "$runner_jar" .jar)
main_class=$(unzip -p "$runner_jar" META-INF/MANIFEST.MF | tr -d '\r' | awk '/^Main-Class:/ { print $2 }')
# The manifest's Class-Path (continuation lines start with one space) names the jars under lib/.
image_cp="$runner_jar"
for entry in $(unzip -p "$runner_jar" META-INF/MANIFEST.MF | tr -d '\r' \
               | awk '/^Class-Path:/ { on = 1; sub(/^Class-Path: /, ""); printf "%s", $0; next }
                      on && /^ / { sub(/^ /, ""); printf "%s", $0; next } { on = 0 }'); do
    image_cp="$image_cp:$sources/$entry"
done

# Builder modules: the Graal compiler replaces the JDK's own jdk.graal.compiler module; the rest go on the module path.
builder_modules=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile
builder_modules=$builder_modules,org.graalvm.nativeimage.base,jdk.graal.compiler,org.graalvm.truffle.compiler
builder_modules=$builder_modules,org.graalvm.nativeimage.configure
upgrade_path=$(ls "$jars"/compiler-*.jar)
module_path=$(ls "$jars"/*.jar | grep -v '/compiler-' | tr '\n' ':')

args="$work/builder.args"
{
    echo "-XX:+UnlockExperimentalVMOptions"
    echo "-XX:+EnableJVMCI"
    echo "-XX:-UseJVMCICompiler"
    echo "-Xss10m"
    echo "-Xmx${BUILDER_XMX:-6g}"
    echo "-XX:+ExitOnOutOfMemoryError"
    echo "--enable-native-access=org.graalvm.nativeimage.builder"
    echo "-Djava.awt.headless=true"
    echo "-Dorg.graalvm.version=$(basename "$upgrade_path" .jar | sed 's/^compiler-//')"
    echo "\"-Dorg.graalvm.vendor=GraalVM Community\""
    # Quarkus parses this (io.quarkus.runtime.graal.GraalVM) while the image is built; the driver would set it.
    echo "\"-Dorg.graalvm.vendorversion=GraalVM CE $(basename "$upgrade_path" .jar | sed 's/^compiler-//')+1.1\""
    echo "-Dcom.oracle.graalvm.isaot=true"
    # ImageInfo reads this once, when it is first loaded: it must be set before the builder starts.
    echo "-Dorg.graalvm.nativeimage.imagecode=buildtime"
    echo "-Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader"
    echo "-Xshare:off"
    echo "-Djdk.internal.lambda.disableEagerInitialization=true"
    echo "-Dfile.encoding=UTF-8"
    # The builder reaches into JDK internals that the driver normally exports to it package by package: export every
    # concealed package of the modules it uses.
    for module in java.base jdk.internal.vm.ci java.management jdk.management jdk.jfr jdk.unsupported java.desktop \
                  jdk.internal.jvmstat java.logging jdk.zipfs java.xml java.naming java.security.jgss jdk.net; do
        "$java25_home/bin/java" --describe-module "$module" | awk -v m="$module" -v to="$builder_modules" \
            '$1 == "contains" || $1 == "qualified" { print "--add-exports=" m "/" ($1 == "contains" ? $2 : $3) "=" to }'
    done
    # -J options of native-image.args are the builder's JVM options.
    tr ' ' '\n' <"$sources/native-image.args" | sed -n 's/^-J//p'
    echo "--add-modules=ALL-DEFAULT"
    echo "--upgrade-module-path"
    echo "$upgrade_path"
    echo "--module-path"
    echo "${module_path%:}"
    echo "--module"
    echo "org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner"
    echo "-imagecp"
    echo "$image_cp"
    echo "-H:Path=$sources"
    echo "-H:Name=$image_name"
    echo "-H:Class=$main_class"
    echo "-H:ImageBuildID=$(cat /proc/sys/kernel/random/uuid)"
    echo "-H:CLibraryPath=$clibraries"
    if [ "${PROBE_EMPTY_STATIC_LIBS:-0}" = 1 ]; then
        # A probe, not a build: empty archives named like the JDK's static libraries get the builder past its check
        # for them, to see how far the rest goes (analysis, compilation). Linking cannot succeed with them.
        mkdir -p "$work/empty-static-libs"
        for lib in java nio net zip fdlibm jvm; do
            [ -f "$work/empty-static-libs/lib$lib.a" ] || ar rc "$work/empty-static-libs/lib$lib.a"
        done
        echo "-H:CLibraryPath=$work/empty-static-libs"
    fi
    # Driver options of native-image.args, as hosted options.
    tr ' ' '\n' <"$sources/native-image.args" | awk -v name="$image_name" '
        /^-J/ || $0 == "-jar" || /\.jar$/ || $0 == name || $0 == "" { next }
        /^-H:/ { print; next }
        /^--features=/ { sub(/^--features=/, "-H:Features="); print; next }
        /^--initialize-at-run-time=/ { sub(/^--initialize-at-run-time=/, ""); print "-H:ClassInitialization=" $0 ":run_time"; next }
        $0 == "--no-fallback" { print "-H:FallbackThreshold=0"; next }
        $0 == "--link-at-build-time" { print "-H:LinkAtBuildTime="; next }
        /^--enable-url-protocols=/ { sub(/^--enable-url-protocols=/, "-H:EnableURLProtocols="); print; next }
        /^--enable-monitoring=/ { sub(/^--enable-monitoring=/, "-H:EnableMonitoringFeatures="); print; next }
        /^--enable-native-access=/ { next }
        # --exclude-config JAR-PATTERN RESOURCE-PATTERN is handled by the driver alone (it drops those configuration
        # files); without the driver two netty reflect-config.json files stay in: more registrations, no failure.
        $0 == "--exclude-config" { skip = 2; next }
        skip > 0 { skip--; next }
        { print "unmapped driver option: " $0 > "/dev/stderr" }'
} >"$args"

say "running NativeImageGeneratorRunner on $("$java25_home/bin/java" -version 2>&1 | head -n 1) (log: $work/build.log)"
start=$SECONDS
set +e
(cd "$sources" && low "$java25_home/bin/java" "@$args") >"$work/build.log" 2>&1
status=$?
set -e
say "builder exited with $status after $((SECONDS - start)) s; stages reached:"
grep -E '^\[[1-8]/8\]' "$work/build.log" | sed 's/  */ /g; s/^/    /'
if grep -q 'There was an error linking the native image' "$work/build.log"; then
    undefined=$(grep -o "undefined reference to \`[^']*'" "$work/build.log" | sort -u)
    say "the link failed on $(echo "$undefined" | wc -l) undefined symbols, by prefix:"
    echo "$undefined" | sed "s/undefined reference to \`//; s/'\$//" \
        | sed -E 's/^(Java_[a-z]+_[a-z]+)_.*/\1_*/; s/^(JNI_OnLoad)_.*/\1_*/; s/^(cSunMiscSignal|svm_container|checkCPUFeatures).*/\1*/' \
        | sort | uniq -c | sort -rn | sed 's/^/    /'
else
    grep -v '^\s*at ' "$work/build.log" | tail -n 25
fi
exit "$status"
