"""The version of the counting code, frozen into every published result.

It names the counting package by the SHA-256 of its source files, so an auditor can
check that the ``civic/voting/`` they read is the one that counted: run
``python -m civic.decisions.version`` in their copy and compare.
"""
import hashlib
from functools import cache
from pathlib import Path

VOTING_PACKAGE = Path(__file__).resolve().parent.parent / "voting"


@cache
def code_version():
    digest = hashlib.sha256()
    for path in sorted(VOTING_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"civic-voting-sha256:{digest.hexdigest()[:20]}"


if __name__ == "__main__":
    print(code_version())
