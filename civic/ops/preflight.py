"""`python -m civic.ops.preflight`: whether Civic can start in production here, said in one clear sentence.

`make serve` runs it before the migrations and gunicorn, so that a missing or unsafe setting is named
instead of surfacing as a traceback in every worker.
"""
import os
import sys

from civic import create_app

# What production cannot guess: where the database is, the key that signs cookies, the public address every
# link is built from, the storage the workers share their rate-limit counts in, and the server mail leaves by
# (without one, mail would be written to the log, reset links included, and never reach anyone).
REQUIRED = ("DATABASE_URL", "SECRET_KEY", "CIVIC_PUBLIC_URL", "CIVIC_RATELIMIT_STORAGE_URI", "MAIL_SERVER")


def problems(environ):
    """What stops Civic from starting in production with this environment ([] when nothing does)."""
    missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
    if missing:
        return [f"set {', '.join(missing)} (README, \"Production\")."]
    if environ.get("CIVIC_ENV", "").strip().lower() != "production":
        return ["set CIVIC_ENV=production."]
    try:
        create_app(env="production")
    except RuntimeError as error:  # ProductionConfig.prepare says which setting is unsafe, and why
        return [str(error)]
    return []


def main():
    found = problems(os.environ)
    for problem in found:
        print(f"Civic cannot start in production: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
