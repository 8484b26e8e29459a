#!/usr/bin/env bash
# From a fresh clone to the ingester, the dashboard, PostgreSQL and Prometheus in containers, using only
# this repository: builds the two images with Jib (no Docker daemon needed for that step), loads them,
# writes deploy/compose/.env with fresh secrets, and starts deploy/compose/docker-compose.yml.
# Needs: JDK 17+, Docker with the compose plugin, and access to Docker Hub (base and PostgreSQL images).
# Not run by CI (no Docker there); docs/operations.md walks through the same steps.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v docker >/dev/null || { echo "quickstart: Docker is needed to run the containers (https://docs.docker.com/get-docker/)" >&2; exit 2; }
docker compose version >/dev/null 2>&1 || { echo "quickstart: the Docker compose plugin is needed (docker compose version)" >&2; exit 2; }

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
echo "==> Building bemi-ingester:$version and bemi-dashboard:$version (Jib, OCI tarballs)"
./mvnw -B -q -Pimage -DskipTests -pl ingester,dashboard -am package
docker load -i ingester/target/jib-image.tar
docker load -i dashboard/target/jib-image.tar
export BEMI_INGESTER_IMAGE=bemi-ingester:$version BEMI_DASHBOARD_IMAGE=bemi-dashboard:$version

env_file=deploy/compose/.env
if [[ ! -f $env_file ]]; then
  echo "==> Writing $env_file with a random PostgreSQL password and dashboard token"
  umask 077
  printf 'POSTGRES_PASSWORD=%s\nBEMI_DASHBOARD_TOKEN=%s\n' "$(openssl rand -hex 16)" "$(openssl rand -hex 24)" > "$env_file"
fi

echo "==> Starting PostgreSQL, the ingester (setup, then run), the dashboard and Prometheus"
docker compose -f deploy/compose/docker-compose.yml --env-file "$env_file" up -d

echo "==> Waiting for the dashboard's /health"
for _ in $(seq 1 60); do
  if docker compose -f deploy/compose/docker-compose.yml --env-file "$env_file" ps dashboard | grep -q '(healthy)'; then
    token=$(sed -n 's/^BEMI_DASHBOARD_TOKEN=//p' "$env_file")
    echo
    echo "Dashboard:  http://127.0.0.1:7070/signin?token=$token"
    echo "Prometheus: http://127.0.0.1:9090 (alerts: Status > Rules)"
    echo "PostgreSQL: psql postgresql://postgres@127.0.0.1:5432/shop (password in $env_file)"
    echo "Stop: docker compose -f deploy/compose/docker-compose.yml --env-file $env_file down"
    exit 0
  fi
  sleep 2
done
echo "quickstart: the dashboard did not become healthy in 2 minutes: docker compose -f deploy/compose/docker-compose.yml logs" >&2
exit 1
