#!/usr/bin/env bash
# Checks what `./mvnw package` built is fit to publish (docs/operations.md, "Artifacts"):
#   every published module has a jar, a -sources.jar and a -javadoc.jar, each jar carries LICENSE and NOTICE;
#   the runnable jars (ingester, dashboard) keep the third-party licence texts and notices, and publish a
#   dependency-reduced pom so a project depending on them does not get every library twice;
#   the agent's bundled libraries are optional dependencies.
# Run after: ./mvnw -B package -DskipTests -pl sql,driver,agent,ingester,dashboard,spring-boot-starter -am
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
fail() { echo "check-artifacts: $*" >&2; failures=$((failures + 1)); }

for module in sql:bemi-sql driver:bemi-driver agent:bemi-agent ingester:bemi-ingester dashboard:bemi-dashboard \
              spring-boot-starter:bemi-spring-boot-starter; do
  dir=${module%%:*}; name=${module##*:}
  for jar in "$dir/target/$name.jar" "$dir/target/$name-sources.jar" "$dir/target/$name-javadoc.jar"; do
    [[ -s $jar ]] || { fail "$jar is missing (build the module first)"; continue; }
  done
  [[ -s $dir/target/$name.jar ]] || continue
  entries=$(unzip -Z1 "$dir/target/$name.jar")
  grep -qx 'META-INF/LICENSE' <<<"$entries" || fail "$name.jar has no META-INF/LICENSE"
  grep -qx 'META-INF/NOTICE' <<<"$entries" || fail "$name.jar has no META-INF/NOTICE"
  if [[ -s $dir/target/$name-javadoc.jar ]]; then
    javadoc=$(unzip -Z1 "$dir/target/$name-javadoc.jar") # not piped into grep -q: pipefail would see unzip's SIGPIPE
    grep -qx 'index.html' <<<"$javadoc" || fail "$name-javadoc.jar has no index.html"
  fi
done

for name in ingester dashboard; do
  jar=$name/target/bemi-$name.jar
  [[ -s $jar ]] || continue
  license=$(unzip -p "$jar" META-INF/LICENSE)
  head -5 <<<"$license" | grep -q 'Apache License' || fail "$jar: META-INF/LICENSE does not start with this project's licence"
  grep -q 'PostgreSQL Global Development Group' <<<"$license" || fail "$jar: pgjdbc's licence text was dropped"
  notice=$(unzip -p "$jar" META-INF/NOTICE)
  grep -q 'Bemi for the JVM' <<<"$notice" || fail "$jar: META-INF/NOTICE lacks this project's notice"
  [[ $(wc -l <<<"$notice") -gt 12 ]] || fail "$jar: third-party NOTICE files were not merged"
  pom=$name/target/dependency-reduced-pom.xml
  if [[ ! -s $pom ]]; then
    fail "$pom is missing: the shaded jar would be published with all its dependencies still declared"
  else
    for bundled in postgresql jackson-databind HikariCP picocli flyway-core; do
      grep -q "<artifactId>$bundled</artifactId>" "$pom" && fail "$pom still declares $bundled, which the jar bundles"
    done
  fi
done

for bundled in byte-buddy bemi-driver; do
  grep -A3 "<artifactId>$bundled</artifactId>" agent/pom.xml | grep -q '<optional>true</optional>' \
    || fail "agent/pom.xml: $bundled is inside the agent jar and must be optional"
done

for field in '<licenses>' '<scm>' '<developers>' '<url>'; do
  grep -q "$field" pom.xml || fail "pom.xml lacks $field"
done
[[ -s LICENSE && -s NOTICE ]] || fail "LICENSE or NOTICE is missing at the repository root"

if ((failures)); then
  echo "check-artifacts: $failures problem(s)" >&2
  exit 1
fi
echo "check-artifacts: all published artifacts look right"
