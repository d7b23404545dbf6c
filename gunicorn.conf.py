"""gunicorn's settings for Civic in production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

gunicorn also reads this file by itself when started from this directory; options given on its command
line win over it. Each setting can be changed from the environment (README, "Production").
"""
import os
import re

from gunicorn.glogging import Logger

# Behind the reverse proxy, on this machine: nothing else should reach the workers.
bind = [os.environ.get("CIVIC_BIND", "127.0.0.1:8000")]

# Sync workers, one request at a time each: 2 per core and one more, so that a core is never idle while a
# worker waits for the database; capped, since each worker holds its own connections and about 100 MB.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = min(2 * _cores + 1, int(os.environ.get("CIVIC_MAX_WORKERS", "8")))

# The slowest request waits at most CIVIC_SQLITE_BUSY_TIMEOUT_MS (10 s) for SQLite's write lock and then
# works for under a second; what takes longer runs outside requests (publishing and counting large votes are
# jobs in a thread, civic/decisions/queue.py; mail leaves in a thread after the response), and a worker
# running such a thread still reports alive. Past this, a worker is stuck: it is killed and replaced.
timeout = int(os.environ.get("CIVIC_WORKER_TIMEOUT", "30"))
# On a restart or a stop, a request under way gets this long to finish (the slowest one, as above).
graceful_timeout = timeout

# A worker is replaced after this many requests, so that memory a long-running process gathers is given
# back; the jitter keeps the workers from being replaced all at once. A publication running in the
# replaced worker's thread is rolled back and taken up again (civic/decisions/queue.py).
max_requests = int(os.environ.get("CIVIC_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# The proxy's addresses: only their X-Forwarded-Proto is believed by gunicorn (the scheme of the request).
# The client's address (X-Forwarded-For) is read by Civic itself, trusting CIVIC_PROXY_COUNT proxies
# (werkzeug's ProxyFix, civic/app.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log to stdout, gunicorn's own to stderr: the journal keeps both (systemd).
accesslog = "-"
# When, what was asked and how it went: no client address (the proxy's log has it, under the retention
# the README gives), no query string (searches, next=), no referrer (it can carry a reset link), no user
# agent; the secret in a link's path is replaced (see AccessLogger).
access_log_format = '%(t)s %(p)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# Paths whose last part is a secret: e-mailed links (confirmation, password reset, unsubscribe) and the
# follow-up codes of counter receipts. tests/test_production.py checks that every such route is here.
SECRET_PATH = re.compile(r"^(/(?:confirm|password/reset|unsubscribe|c))/[^/]+")


def loggable_path(path):
    """The path as the access log writes it: a secret it carries replaced by '…'."""
    return SECRET_PATH.sub(r"\1/…", path or "")


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable_path(atoms["U"])
        return atoms


logger_class = AccessLogger
