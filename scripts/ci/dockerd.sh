#!/usr/bin/env bash
# Starts (up DIR) or stops (down DIR) a Docker engine of its own under DIR: vfs storage, no
# iptables, no bridge (containers get no network), its own data-root, exec-root, pidfile and
# socket. `up` prints the DOCKER_HOST to use.
set -euo pipefail
cmd=${1:?up|down}
dir=${2:?directory}
case "$cmd" in
  up)
    mkdir -p "$dir"
    dockerd --storage-driver vfs --iptables=false --bridge=none \
      --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
      --host "unix://$dir/docker.sock" > "$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      if DOCKER_HOST="unix://$dir/docker.sock" docker version > /dev/null 2>&1; then
        echo "unix://$dir/docker.sock"
        exit 0
      fi
      sleep 0.5
    done
    echo "dockerd did not start; its log:" >&2
    tail -20 "$dir/dockerd.log" >&2
    exit 1
    ;;
  down)
    if [ -f "$dir/dockerd.pid" ]; then
      kill "$(cat "$dir/dockerd.pid")" 2> /dev/null || true
      for _ in $(seq 1 20); do kill -0 "$(cat "$dir/dockerd.pid" 2> /dev/null)" 2> /dev/null || break; sleep 0.5; done
    fi
    ;;
esac
