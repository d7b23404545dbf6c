"""A trivial WSGI app for tests/test_servers.py (served by gunicorn through tests/servers.py).

    /pid          the worker's process id
    /sleep?s=0.5  sleeps, then the worker's process id
    /cookie?n=v   sets the cookie n=v and redirects (302) to /cookies
    /cookies      the cookies received, "n=v; ..."
    /form         a page with a CSRF token field (a fixed token, as the app's forms carry one)
    /echo         POST: the form fields received, "name=value" lines; 403 without the token
    /status/N     answers with status N
    /env/NAME     the value of the environment variable NAME ("" when unset)
"""
import os
import time
from urllib.parse import parse_qsl

TOKEN = "probe-token-123"


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))

    def answer(status, text, headers=()):
        body = text.encode()
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Length", str(len(body))), *headers])
        return [body]

    if path == "/pid":
        return answer("200 OK", str(os.getpid()))
    if path == "/sleep":
        time.sleep(float(query.get("s", "0.5")))
        return answer("200 OK", str(os.getpid()))
    if path == "/cookie":
        cookies = [("Set-Cookie", f"{name}={value}; Path=/; HttpOnly") for name, value in query.items()]
        return answer("302 Found", "", [("Location", "/cookies"), *cookies])
    if path == "/cookies":
        return answer("200 OK", environ.get("HTTP_COOKIE", ""))
    if path == "/form":
        page = (f'<form method="post" action="/echo"><input type="hidden" name="csrf_token" value="{TOKEN}">'
                '<button>Send</button></form>')
        body = page.encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/echo" and environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        fields = parse_qsl(environ["wsgi.input"].read(length).decode(), keep_blank_values=True)
        if ("csrf_token", TOKEN) not in fields:
            return answer("403 Forbidden", "no token")
        return answer("200 OK", "\n".join(f"{name}={value}" for name, value in fields))
    if path.startswith("/status/"):
        code = int(path.rsplit("/", 1)[1])
        return answer(f"{code} Probe", f"status {code}")
    if path.startswith("/env/"):
        return answer("200 OK", os.environ.get(path.split("/", 2)[2], ""))
    return answer("404 Not Found", "not found")
