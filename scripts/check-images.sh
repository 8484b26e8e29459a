#!/usr/bin/env bash
# Builds the ingester and dashboard images with Jib (no Docker daemon) into OCI tarballs and checks each
# image's config: non-root user, java entrypoint with the right main class, the exposed port.
# The real images start from eclipse-temurin:17-jre (a registry outside Maven Central). This check builds
# on the empty base image (scratch: nothing is pulled, so it runs without network) because what it checks,
# the image config Jib writes, does not depend on the base. BEMI_IMAGE_BASE=eclipse-temurin:17-jre checks
# the real thing where that registry is reachable.
#   scripts/check-images.sh            build, then check
#   scripts/check-images.sh --no-build check tarballs built before
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} != --no-build ]]; then
  ./mvnw -B -q -Pimage -DskipTests -Djib.from.image="${BEMI_IMAGE_BASE:-scratch}" -pl ingester,dashboard -am package
fi

failures=0
check() { # module main-class port
  local tar=$1/target/jib-image.tar dir
  [[ -s $tar ]] || { echo "check-images: $tar is missing" >&2; failures=$((failures + 1)); return; }
  dir=$(mktemp -d)
  tar -xf "$tar" -C "$dir"
  python3 - "$dir" "$2" "$3" <<'PY' || failures=$((failures + 1))
import json, os, sys
root, main, port = sys.argv[1:]
manifest = json.load(open(os.path.join(root, "manifest.json")))[0]
config = json.load(open(os.path.join(root, manifest["Config"])))["config"]
problems = []
user = config.get("User", "")
if user in ("", "0", "root") or user.startswith("0:"):
    problems.append(f"runs as root (User={user!r})")
entrypoint = " ".join(config.get("Entrypoint") or [])
if not entrypoint.startswith("java") or main not in entrypoint:
    problems.append(f"entrypoint {entrypoint!r} does not run {main}")
if f"{port}/tcp" not in (config.get("ExposedPorts") or {}):
    problems.append(f"port {port} not exposed: {config.get('ExposedPorts')}")
for p in problems:
    print(f"check-images: {main}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  rm -rf "$dir"
}
check ingester io.bemi.ingester.Main 9464
check dashboard io.bemi.dashboard.Main 7070
if ((failures)); then echo "check-images: $failures problem(s)" >&2; exit 1; fi
echo "check-images: both images run as non-root, start the right main class and expose their port"
