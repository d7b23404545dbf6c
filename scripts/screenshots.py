#!/usr/bin/env python3
"""Screenshots of the demo at 360 px for docs/screenshots/: the home page, a ballot of each voting method, the
results of the published participatory budget, the majority-judgment results an official reviews, the counter
agent's desk.

Starts the demo as the browser checks do (tests/browser/crawling.py: flask run on a fresh, migrated and seeded
SQLite database in a temporary directory), drives Debian's chromium through Playwright (never `playwright
install`), and saves each page's first 1 400 px as PNG at a device scale of 1, re-encoded with a palette of at
most 256 colours (the page's flat colours and the most frequent shades of its anti-aliased text), which keeps
each file to a few tens of KB. The demo resident, Camille, lives in no district: the script places her, long ago, in the district of
the one district-only vote, so that its ballot can be shown.

    .venv/bin/python scripts/screenshots.py                 # into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots
"""
import argparse
import sqlite3
import struct
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.crawling import DEMO_PASSWORD, ROLES, LiveServer  # noqa: E402
from tests.browser.site import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WIDTH = 360
HEIGHT = 1400
# The demo's decisions, by title (their ids depend on the database): (file name, title).
BALLOTS = [
    ("ballot-yes-no", "Piétonniser la place de la Mairie le samedi"),
    ("ballot-single-choice", "Le nom de la nouvelle médiathèque"),
    ("ballot-approval", "Les animations de l'été"),
    ("ballot-majority-judgment", "L'aménagement du parc du Moulin"),
    ("ballot-participatory-budget", "Budget participatif 2027"),
]
PUBLISHED = "Budget participatif 2026"
TO_REVIEW = "Horaires de la piscine"


# --- PNG with a palette, in plain Python (no imaging library among the dependencies) ----------------------

def _chunks(data):
    position = 8  # after the signature
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        yield kind, data[position + 8:position + 8 + length]
        position += 12 + length


def _pixels(png):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG, as Chromium writes them."""
    header, compressed = None, b""
    for kind, body in _chunks(png):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unexpected PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    step = 3 if colour == 2 else 4
    stride = width * step
    raw = zlib.decompress(compressed)
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):  # undo the row's filter (PNG specification, section 9)
            left = line[x - step] if x >= step else 0
            up = previous[x]
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                corner = previous[x - step] if x >= step else 0
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, step)])
        previous = line
    return width, height, rows


def palette_png(png):
    """The same picture with a palette of its 256 most frequent colours, each other colour drawn as the nearest."""
    width, height, rows = _pixels(png)
    counts = Counter(pixel for row in rows for pixel in row)
    palette = [colour for colour, _n in counts.most_common(256)]
    index = {colour: i for i, colour in enumerate(palette)}
    for colour in counts:
        if colour not in index:
            index[colour] = min(range(len(palette)), key=lambda i: sum((a - b) ** 2 for a, b in zip(colour, palette[i])))
    raw = b"".join(b"\0" + bytes(index[pixel] for pixel in row) for row in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
            + chunk(b"PLTE", b"".join(bytes(colour) for colour in palette))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def place_camille(database):
    """Camille in the district of the district-only vote, since long before it opened."""
    with sqlite3.connect(database) as connection:
        district = connection.execute(
            "SELECT district_id FROM decision_district JOIN decision ON decision.id = decision_id "
            "WHERE decision.title = ?", (BALLOTS[1][1],)).fetchone()[0]
        connection.execute("UPDATE user_account SET district_id = ?, district_since = '2020-01-01 00:00:00' "
                           "WHERE email = ?", (district, ROLES["resident"]))


def decision_ids(database):
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT title, id FROM decision"))


def log_in(browser, origin, role):
    context = browser.new_context(base_url=origin, viewport={"width": WIDTH, "height": 780}, locale="fr-FR",
                                  device_scale_factor=1)
    page = context.new_page()
    if ROLES.get(role):
        page.goto("/login")
        form = page.locator("main form", has=page.locator("input[name=password]"))
        form.locator("input[name=email]").fill(ROLES[role])
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
    return context, page


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="civic-shots-") as workdir:
        server = LiveServer(workdir)
        server.prepare()
        database = Path(workdir) / "civic.sqlite3"
        place_camille(database)
        ids = decision_ids(database)
        shots = [("anonymous", "home", "/"), ("anonymous", "results", f"/decisions/{ids[PUBLISHED]}/results")]
        shots += [("resident", name, f"/decisions/{ids[title]}/vote") for name, title in BALLOTS]
        shots += [("elected", "results-to-review", f"/decisions/{ids[TO_REVIEW]}/results"),
                  ("counter_agent", "desk", "/desk")]
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                contexts = {}
                for role, name, path in shots:
                    if role not in contexts:
                        contexts[role] = log_in(browser, server.url, role)
                    page = contexts[role][1]
                    response = page.goto(path)
                    if response is None or response.status != 200:
                        raise SystemExit(f"{path} as {role} answered {response.status if response else 'nothing'}")
                    height = min(HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                    file = args.out / f"{name}.png"
                    file.write_bytes(palette_png(page.screenshot(
                        full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height})))
                    print(f"{file.relative_to(REPO_ROOT) if file.is_relative_to(REPO_ROOT) else file}: "
                          f"{path} as {role}, {file.stat().st_size // 1024} KB")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
