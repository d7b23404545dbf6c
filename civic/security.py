"""HTTP headers that keep pages on their own origin and out of other sites' frames."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app):
    headers_of_every_response = SECURITY_HEADERS + ((HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def set_security_headers(response):
        # Those a view set itself stay; the set of names is read once, not once per header.
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend([(name, value) for name, value in headers_of_every_response
                                 if name.lower() not in present])
        return response
