# Sourced by ./jvirt and .ci/run: sets JAVA_HOME to a JDK 25 or newer.
# Order: $JAVA_HOME, then /usr/lib/jvm/* (newest first), then the `java` on the PATH.

jvirt_java_major() { # $1 = a JDK/JRE home; prints its feature version, or nothing
  local home=$1 v=
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ] && [ -x "$home/bin/java" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

jvirt_find_jdk() {
  local cand v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(jvirt_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for cand in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    cand=${cand%/}
    [ -x "$cand/bin/java" ] || continue
    v=$(jvirt_java_major "$cand")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$cand"; return 0; fi
  done
  if command -v java >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    v=$(jvirt_java_major "$cand")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$cand"; return 0; fi
  fi
  return 1
}

if ! JAVA_HOME=$(jvirt_find_jdk); then
  echo "jvirt: no JDK 25 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, and java on the PATH)." >&2
  echo "jvirt: install one, e.g. Eclipse Temurin 25 (https://adoptium.net), or set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME
