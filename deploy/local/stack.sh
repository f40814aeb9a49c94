#!/usr/bin/env bash
# Local Vigie stack without Docker: a single-node Apache Kafka (KRaft) and a
# single-node Elasticsearch on 127.0.0.1, fetched once through Maven Central
# into a git-ignored cache (default: <repo>/.cache/stack).
# Usage: see `stack.sh help`.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=kafka.sh
. "$LOCAL_DIR/kafka.sh"
# shellcheck source=elasticsearch.sh
. "$LOCAL_DIR/elasticsearch.sh"

COMPONENTS=(kafka elasticsearch)

usage() {
  cat <<EOF
Usage: bash deploy/local/stack.sh COMMAND [COMPONENT]

Commands:
  up [COMPONENT]        fetch if needed, start and wait until healthy (no-op when already up)
  down [COMPONENT]      stop gracefully: SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s (no-op when down)
  restart [COMPONENT]   down, then up
  status [COMPONENT]    state, pid, port, version and health; exit 0 only if all are healthy
  logs [COMPONENT] [-f] show (or follow) the component logs
  fetch [COMPONENT]     only download and unpack into the cache
  clean [COMPONENT]     stop and delete data, config and logs (downloads are kept)
  env                   print the connection settings for Vigie (shell syntax)
  produce TOPIC         send stdin to a Kafka topic, one record per line
  versions              print the engine versions and check deploy/docker-compose.yml matches
  help                  this text

COMPONENT: kafka | elasticsearch (alias: es). Default: both.

Environment:
  VIGIE_STACK_DIR        cache folder (default: <repo>/.cache/stack, now $STACK_DIR)
  VIGIE_STACK_TIMEOUT    seconds to wait for health (default 180)
  VIGIE_KAFKA_VERSION    default $KAFKA_VERSION (deploy/local/versions.env)
  VIGIE_KAFKA_PORT       default 9092 (controller: VIGIE_KAFKA_CONTROLLER_PORT, default 9093)
  VIGIE_KAFKA_HEAP       default 512m
  VIGIE_KAFKA_JAVA_HOME  JDK for Kafka (Java 17+; default: JAVA_HOME, java on PATH)
  VIGIE_ES_VERSION       default $ES_VERSION (deploy/local/versions.env)
  VIGIE_ES_PORT          default 9200
  VIGIE_ES_HEAP_MIN/MAX  default 512m / 1g
  VIGIE_ES_JAVA_HOME     JDK for Elasticsearch (Java 21+; default: ES_JAVA_HOME, then $ES_DEFAULT_JAVA_HOME)
  VIGIE_ES_USER          user that runs Elasticsearch when started as root (default vigie-es)
  VIGIE_ES_DIR           folder for the Elasticsearch files (default: the stack folder, or a
                         folder under /var/tmp when that user cannot reach the stack folder)
EOF
}

# Normalizes the component argument into the COMPONENTS_SELECTED array.
select_components() {
  case "${1:-all}" in
  all | "") COMPONENTS_SELECTED=("${COMPONENTS[@]}") ;;
  kafka) COMPONENTS_SELECTED=(kafka) ;;
  elasticsearch | es) COMPONENTS_SELECTED=(elasticsearch) ;;
  *) die "unknown component '$1' (expected: kafka, elasticsearch)" ;;
  esac
}

fn_prefix() {
  case "$1" in
  kafka) printf kafka ;;
  elasticsearch) printf es ;;
  esac
}

# Serializes commands that change the stack (parallel test runs, for example).
take_lock() {
  ensure_stack_dir
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STACK_DIR/.lock"
    if ! flock -n 9; then
      info "another stack command is running; waiting for it..."
      flock 9
    fi
  fi
}

cmd_up() {
  local c started=$SECONDS
  take_lock
  # Launch everything first, then wait: both engines start in parallel.
  for c in "${COMPONENTS_SELECTED[@]}"; do "$(fn_prefix "$c")_start"; done
  for c in "${COMPONENTS_SELECTED[@]}"; do "$(fn_prefix "$c")_wait"; done
  info "up in $((SECONDS - started))s"
  cmd_env
}

cmd_down() {
  local c i
  take_lock
  for ((i = ${#COMPONENTS_SELECTED[@]} - 1; i >= 0; i--)); do
    c="${COMPONENTS_SELECTED[$i]}"
    "$(fn_prefix "$c")_down"
  done
}

cmd_status() {
  ensure_stack_dir
  local c rc=0
  for c in "${COMPONENTS_SELECTED[@]}"; do
    "$(fn_prefix "$c")_status" || rc=1
  done
  return "$rc"
}

cmd_fetch() {
  local c
  take_lock
  for c in "${COMPONENTS_SELECTED[@]}"; do "$(fn_prefix "$c")_fetch"; done
  info "downloads are in $STACK_DIR/dist"
}

cmd_clean() {
  local c
  take_lock
  for c in "${COMPONENTS_SELECTED[@]}"; do "$(fn_prefix "$c")_clean"; done
}

cmd_logs() {
  local follow=0 arg files=() c
  for arg in "$@"; do
    case "$arg" in
    -f | --follow) follow=1 ;;
    *) select_components "$arg" ;;
    esac
  done
  kafka_paths
  es_paths
  for c in "${COMPONENTS_SELECTED[@]}"; do
    case "$c" in
    kafka) files+=("$KAFKA_LOG") ;;
    elasticsearch) files+=("$ES_CONSOLE") ;;
    esac
  done
  local existing=()
  for arg in "${files[@]}"; do [[ -f "$arg" ]] && existing+=("$arg"); done
  [[ ${#existing[@]} -gt 0 ]] || die "no logs yet in $STACK_DIR"
  if ((follow)); then exec tail -n 50 -F "${existing[@]}"; fi
  tail -n 50 "${existing[@]}"
}

# Sends stdin, one record per line, to a topic of the local Kafka (a quick way to try Vigie).
cmd_produce() {
  local topic="${1:-}"
  [[ -n "$topic" ]] || die "usage: stack.sh produce TOPIC < lines"
  kafka_paths
  kafka_running || die "Kafka is not running: stack.sh up kafka"
  kafka_tool "$(kafka_java)" org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "$topic"
}

cmd_env() {
  printf 'VIGIE_KAFKA_BROKERS=127.0.0.1:%s\n' "$KAFKA_PORT"
  printf 'VIGIE_ELASTICSEARCH_URL=http://127.0.0.1:%s\n' "$ES_PORT"
}

# Checks that deploy/docker-compose.yml uses the images of versions.env.
cmd_versions() {
  local compose="$REPO_ROOT/deploy/docker-compose.yml" rc=0 image
  # shellcheck source=versions.env
  . "$LOCAL_DIR/versions.env"
  printf 'kafka %s\nelasticsearch %s\n' "$KAFKA_VERSION" "$ELASTICSEARCH_VERSION"
  for image in "apache/kafka:$KAFKA_VERSION" "docker.elastic.co/elasticsearch/elasticsearch:$ELASTICSEARCH_VERSION"; do
    if ! grep -qE "^[[:space:]]*image:[[:space:]]*\"?${image//./\\.}\"?[[:space:]]*$" "$compose"; then
      printf '[stack] error: %s does not use image %s\n' "$compose" "$image" >&2
      rc=1
    fi
  done
  return "$rc"
}

main() {
  local cmd="${1:-help}"
  [[ $# -gt 0 ]] && shift
  COMPONENTS_SELECTED=("${COMPONENTS[@]}")
  case "$cmd" in
  up | start)
    select_components "${1:-all}"
    cmd_up
    ;;
  down | stop)
    select_components "${1:-all}"
    cmd_down
    ;;
  restart)
    select_components "${1:-all}"
    cmd_down
    cmd_up
    ;;
  status)
    select_components "${1:-all}"
    cmd_status
    ;;
  fetch)
    select_components "${1:-all}"
    cmd_fetch
    ;;
  clean)
    select_components "${1:-all}"
    cmd_clean
    ;;
  logs) cmd_logs "$@" ;;
  env) cmd_env ;;
  produce) cmd_produce "$@" ;;
  versions) cmd_versions ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    die "unknown command '$cmd'"
    ;;
  esac
}

main "$@"
