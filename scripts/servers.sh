# Shell helpers shared by the throwaway test servers (scripts/pg.sh, scripts/redis.sh); sourced.

# A TCP port free on 127.0.0.1 right now.
free_port() {
    python3 - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}
