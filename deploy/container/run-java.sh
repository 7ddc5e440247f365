#!/bin/sh
# Stand-in for the entry point of registry.access.redhat.com/ubi9/openjdk-25-runtime (and -17-), at the same path
# (/opt/jboss/container/java/run/run-java.sh) in the local runtime base image that deploy/container-check.sh makes
# when no registry is reachable. It honours the variables src/main/docker/Dockerfile.jvm sets, and nothing more:
#
#   JAVA_APP_JAR        the jar to run (required)
#   JAVA_MAX_MEM_RATIO  heap as a percentage of the container's memory limit (-XX:MaxRAMPercentage); default 80
#   JAVA_OPTS           replaces the default JVM flags below when set
#   JAVA_OPTS_APPEND    added after them
#   GC_CONTAINER_OPTIONS  the collector among the default flags; default -XX:+UseParallelGC
#
# The default flags are the ones the UBI image's script is documented to log for a JDK 17+ runtime (parallel GC that
# returns free heap, exit on OutOfMemoryError), so that memory measured on this base is comparable. It does not do
# the UBI script's other work (debug agent, classpath discovery, proxy settings, JAVA_DIAGNOSTICS).
set -eu

: "${JAVA_APP_JAR:?JAVA_APP_JAR must name the jar to run}"
ratio="${JAVA_MAX_MEM_RATIO:-80}"
defaults="${GC_CONTAINER_OPTIONS:--XX:+UseParallelGC} -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError"

# Word splitting of the option strings is intended: they hold several flags.
# shellcheck disable=SC2086
exec java -XX:MaxRAMPercentage="$ratio" ${JAVA_OPTS:-$defaults} ${JAVA_OPTS_APPEND:-} -jar "$JAVA_APP_JAR" "$@"
