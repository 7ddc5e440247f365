"""How the bench scripts start the packaged service (target/quarkus-app) the way README.md does: with the class archive
the package step recorded for the JDK that built it, when the JDK at hand is of that kind."""
import os
import re
import subprocess
from pathlib import Path


def java():
    """The JDK's launcher: $JAVA_HOME/bin/java when JAVA_HOME is set (as ./mvnw uses it), else java on the PATH."""
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


def feature_version(launcher):
    """The Java feature release (17, 25, ...) of {launcher}."""
    out = subprocess.run([launcher, "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
    return int(re.search(r"java\.specification\.version = (\d+)", out).group(1))


def java_command(root, jar):
    """The start of the command line for the packaged {jar} (relative to {root}, the repository root, as the archive
    recorded it): the launcher and, where the package step left one for a JDK of this kind, its archive flag. JDK 25+
    maps the AOT cache (app.aot), JDK 17-24 the class-data archive (app-cds.jsa); each JVM checks that the archive is
    its own build's and starts without it otherwise."""
    launcher = java()
    folder = Path(jar).parent
    if feature_version(launcher) >= 25:
        archive, flag = folder / "app.aot", "-XX:AOTCache="
    else:
        archive, flag = folder / "app-cds.jsa", "-XX:SharedArchiveFile="
    return [launcher, *([f"{flag}{archive}"] if (Path(root) / archive).exists() else [])]
