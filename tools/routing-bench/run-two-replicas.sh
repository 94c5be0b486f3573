#!/usr/bin/env bash
# Starts two routing replicas on one fresh namespace (HTTP 18182/18183, gRPC 19182/19183), waits
# until both are ready, runs switchboard-routing-bench against both, then stops them (SIGTERM).
# Needs the local stack (tools/stack start) and a build (BUILD_DIR, default ./build).
# Extra arguments go to the bench, e.g.: tools/routing-bench/run-two-replicas.sh --handoffs 5000
set -euo pipefail
BUILD_DIR=${BUILD_DIR:-build}
NS=${NS:-rbench$(date +%s)}
LOG_LEVEL=${LOG_LEVEL:-info}
PARTITIONS=${PARTITIONS:-6}
export SWITCHBOARD_ROUTING_TOKEN_SECRET=${SWITCHBOARD_ROUTING_TOKEN_SECRET:-$(openssl rand -hex 32)}
LOGS=$(mktemp -d)

# Topics first, so both replicas' consumers share the partitions from the start.
"$BUILD_DIR/bin/switchboard-admin" create-topics --namespace "$NS" --partitions "$PARTITIONS" >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
for i in 0 1; do
  SWITCHBOARD_NAMESPACE=$NS SWITCHBOARD_HTTP_PORT=$((18182 + i)) SWITCHBOARD_GRPC_LISTEN=127.0.0.1:$((19182 + i)) \
  SWITCHBOARD_LOG_LEVEL=$LOG_LEVEL "$BUILD_DIR/bin/routing" >"$LOGS/routing-$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$((18182 + i))/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$((18182 + i))/readyz" >/dev/null || { echo "replica $i not ready; log: $LOGS/routing-$i.log"; exit 1; }
done
echo "namespace $NS, replicas ready (logs in $LOGS)"
status=0
"$BUILD_DIR/bin/switchboard-routing-bench" --namespace "$NS" --grpc 127.0.0.1:19182,127.0.0.1:19183 \
  --partitions "$PARTITIONS" "$@" || status=$?
# Where the time went, per replica (dispatch passes, conflicts between replicas, Redis round trips).
for i in 0 1; do
  echo "replica $i:"
  curl -fsS "http://127.0.0.1:$((18182 + i))/metrics" | grep -E \
    '^switchboard_routing_(assignments_total|dispatch_conflicts_total|dispatch_seconds_(sum|count))|^switchboard_redis_command(s_total|_seconds_(sum|count))' \
    | sed 's/^/  /'
done
exit $status
