"""The collectivité's logo: an SVG an admin uploads, kept only as far as it is a drawing.

An SVG is a document that may run scripts, load other documents and expand entities. It is parsed
with the standard library, refused if it declares a DOCTYPE (entities: the "billion laughs"), and
written again from a whitelist: drawing elements and presentation attributes; links only to a part
of the same drawing (``#id``). Everything else (script, foreignObject, style, image, animation, event
handlers, ``url()`` to another document) is left out. It is also served with a Content-Security-Policy
that forbids scripts (legal/views.py), in case a browser opens it as a page.
"""
import re
import xml.etree.ElementTree as ElementTree

from flask import make_response
from flask_babel import lazy_gettext as _l
from markupsafe import escape

MAX_BYTES = 20 * 1024
# A drawing is never a document: nothing in it may run or load anything, even opened on its own.
DRAWING_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ELEMENTS = {"svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
            "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "use", "symbol"}
ATTRIBUTES = {
    "id", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
    "d", "points", "transform", "preserveAspectRatio", "version", "role", "aria-label", "aria-hidden",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity", "clip-path",
    "clip-rule", "clipPathUnits", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
    "spreadMethod", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "letter-spacing", "dx", "dy", "href",
}
SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "use"}
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"^\s*url\(\s*#[\w.-]+\s*\)\s*$")
_LOCAL_HREF = re.compile(r"^#[\w.-]+$")
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

TOO_BIG = _l("Choose an SVG file of at most 20 KB.")
NOT_SVG = _l("This file is not an SVG drawing: choose a file saved as SVG.")
DECLARES = _l("This SVG file declares a DOCTYPE or entities, which a logo does not need: save it again as "
              "plain SVG.")
EMPTY = _l("Nothing of this SVG file could be kept as a drawing.")


class LogoRefused(ValueError):
    """The file cannot be a logo; ``message`` says why, in the admin's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def sanitise(data):
    """The SVG text to store for the uploaded bytes ``data``, or LogoRefused."""
    if len(data) > MAX_BYTES:
        raise LogoRefused(TOO_BIG)
    # Read as UTF-8 only: in another encoding (UTF-16) a DOCTYPE would pass unseen to the parser.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogoRefused(NOT_SVG) from None
    if _DECLARATION.search(text):
        raise LogoRefused(DECLARES)
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=False, insert_pis=False))
    try:
        parser.feed(text)
        root = parser.close()
    except ElementTree.ParseError:
        raise LogoRefused(NOT_SVG) from None
    if root.tag != SVG + "svg":
        raise LogoRefused(NOT_SVG)
    drawn = []
    text = _element(root, drawn, top=True)
    if not drawn:
        raise LogoRefused(EMPTY)
    if len(text.encode()) > MAX_BYTES:
        raise LogoRefused(TOO_BIG)
    return text


def _attribute(name, value):
    """(name, value) to keep, or None."""
    if name == XLINK_HREF:
        name = "href"
    if name not in ATTRIBUTES:
        return None
    if name == "href":
        return (name, value) if _LOCAL_HREF.match(value.strip()) else None
    if _URL.search(value) and not _LOCAL_URL.match(value):
        return None
    lowered = value.lower()
    if "javascript:" in lowered or "data:" in lowered or "expression(" in lowered:
        return None
    return name, value


def _element(element, drawn, top=False):
    """The element written again from the whitelist; each shape kept is added to ``drawn``."""
    if not element.tag.startswith(SVG) or element.tag.removeprefix(SVG) not in ELEMENTS:
        return ""
    tag = element.tag.removeprefix(SVG)
    if tag in SHAPES:
        drawn.append(tag)
    attributes = [kept for kept in (_attribute(n, v) for n, v in element.attrib.items()) if kept]
    if top:
        attributes.insert(0, ("xmlns", "http://www.w3.org/2000/svg"))
    out = [f"<{tag}", *(f' {name}="{escape(value)}"' for name, value in attributes), ">"]
    if element.text and tag in ("title", "desc", "text", "tspan"):
        out.append(str(escape(element.text)))
    for child in element:
        out.append(_element(child, drawn))
        if child.tail and tag in ("text", "tspan"):
            out.append(str(escape(child.tail)))
    out.append(f"</{tag}>")
    return "".join(out)


def drawing_response(svg, filename):
    """A sanitised drawing served as an image that can run nothing; its address changes with it (a version in the
    URL), so browsers and proxies keep it a year."""
    response = make_response(svg)
    response.headers.update({
        "Content-Type": "image/svg+xml; charset=utf-8", "Content-Security-Policy": DRAWING_POLICY,
        "X-Content-Type-Options": "nosniff", "Content-Disposition": f"inline; filename={filename}",
        "Cache-Control": "public, max-age=31536000, immutable"})
    return response
