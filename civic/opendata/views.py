"""The open data portal (/donnees), the stored files' downloads, the data package, the ZIP, the DCAT catalogue,
and what search engines read (robots.txt, sitemap.xml). Every file is read from the stored snapshots
(civic.opendata.snapshots), never built by a request, and served as a published file (civic.chunked_files)."""
import hashlib
import json
from datetime import timezone
from functools import lru_cache, partial
from typing import NamedTuple

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _, get_timezone, lazy_gettext as _l, ngettext
from markupsafe import Markup

from ..access import public
from ..chunked_files import download, schema_download, stateless
from ..i18n import current_language
from ..typography import long_datetime, number
from ..site_map import ABOUT, in_site_map, not_in_site_map
from . import sitemap, snapshots
from .datasets import SCHEMAS, datasets, get
from .package import CSV_FORMULAS, LICENCE, catalogue as dcat_catalogue, file_name

bp = Blueprint("opendata", __name__)

# What other packages may serve beside the portal (the read-only API and its feeds): linked only when the
# application has them, so that the portal follows what is mounted rather than a list kept here.
API_DOCUMENT, API_ROOT, FEEDS = "/api/v1/openapi.json", "/api/v1/", "/flux/"
CRAWLERS_CACHE = "public, max-age=3600"


def _mounted():
    """(API document or None, API root or None, [(path, title)] of the feeds): what the app serves beside the portal,
    read from its rules once (Flask refuses new rules once the app serves). The feeds' views say their titles
    (civic.feeds.views.titled), translated when shown."""
    mounted = current_app.extensions.get("civic_opendata_mounted")
    if mounted is None:
        rules = [rule for rule in current_app.url_map.iter_rules() if "GET" in rule.methods]
        served = {rule.rule for rule in rules}
        feeds = sorted((rule.rule, getattr(current_app.view_functions[rule.endpoint], "civic_feed_title", rule.rule))
                       for rule in rules if rule.rule.startswith(FEEDS) and not rule.arguments)
        mounted = current_app.extensions["civic_opendata_mounted"] = (
            API_DOCUMENT if API_DOCUMENT in served else None, API_ROOT if API_ROOT in served else None, feeds)
    return mounted


class _Parts(NamedTuple):
    """What the portal shows of a dataset that changes only with the code (see _dataset_parts)."""
    csv: str  # its files' names
    json: str
    head: Markup  # its section's opening: title, description, fields, schema, licence
    table_head: Markup
    csv_cell: Markup  # a file's row up to its size
    json_cell: Markup
    not_generated: Markup


# Languages x roots of the site kept rendered: the root is the server's SCRIPT_NAME, which gunicorn takes from a
# request header that some proxies pass on, so its values are bounded here, past which the renders start again.
PARTS_KEPT = 16


def _dataset_parts():
    """[_Parts] of every dataset, in the portal's order, in the reader's language. The datasets, their titles,
    fields and addresses change only with the code, while a render of their 21 sections cost some 700 calls of
    the template's functions per request: they are rendered once per language and address of the site
    (templates/opendata/_dataset_parts.html), and each request adds what it reads of the stored files."""
    key = (current_language(), request.script_root)
    rendered = current_app.extensions.setdefault("civic_opendata_parts", {})
    parts = rendered.get(key)
    if parts is None:
        context = {"licence": LICENCE}
        current_app.update_template_context(context)
        macros = current_app.jinja_env.get_template("opendata/_dataset_parts.html").make_module(context)
        parts = []
        for d in datasets():
            title, description = (Markup(text) for text in (d.title, d.description))  # the catalogs' own texts
            csv, json_name = file_name(d, "csv"), file_name(d, "json")
            parts.append(_Parts(csv, json_name, macros.head(d, title, description, _field_titles(d)),
                                macros.table_head(title), macros.file_cell(d, csv, "csv"),
                                macros.file_cell(d, json_name, "json"), macros.not_generated()))
        if len(rendered) >= PARTS_KEPT:
            rendered.clear()
        rendered[key] = parts
    return parts


@lru_cache(maxsize=4096)
def _file_size(size, language):
    """"12,3 kB": a file's size as the reader reads it, remembered for each size and language (the portal shows
    some 65 sizes, each a lookup in the catalog and a number formatted)."""
    if size < 1000:
        return _("%(n)s bytes", n=number(size, language))
    if size < 1000000:
        return _("%(n)s kB", n=number(round(size / 1000, 1), language))
    return _("%(n)s MB", n=number(round(size / 1000000, 1), language))


@lru_cache(maxsize=1024)
def _updated(generated_at, rows, language, zone):
    """" · last update 1 March 2027, 03:00 · 1,234 records": what the portal says of a dataset's last file,
    remembered for each moment, count, language and time zone (formatting them for 21 datasets cost more than the
    rest of their rows)."""
    if generated_at.tzinfo is None:  # the database's dates are in UTC
        generated_at = generated_at.replace(tzinfo=timezone.utc)
    return (" · " + _("last update %(date)s", date=long_datetime(generated_at, language, zone)) + " · "
            + ngettext("%(count)s record", "%(count)s records", rows, count=number(rows, language)))


class _Shown(NamedTuple):
    """A dataset as a request shows it: its parts rendered once, and what it reads of the stored files."""
    part: _Parts
    updated: str  # its last update and records, "" before its first
    files: list  # [(part's cell of a file, its size, its SHA-256)], its CSV's and JSON's when written


def _shown(files, language):
    """[_Shown] of every dataset. Some 130 values a request: read here rather than by the template's calls (each
    through the template's context, as many as the rest of the page's)."""
    zone, shown = get_timezone(), []
    for part in _dataset_parts():
        csv, js = files.get(part.csv), files.get(part.json)
        if csv is None:
            shown.append(_Shown(part, "", []))
            continue
        cells = [(cell, _file_size(f.size, language), f.sha256) for f, cell in ((csv, part.csv_cell),
                                                                                (js, part.json_cell)) if f]
        shown.append(_Shown(part, _updated(csv.generated_at, csv.rows, language, zone), cells))
    return shown


def _field_titles(dataset):
    english = current_language() == "en"
    return [(f.get("x_title_en") if english else None) or f.get("title") or f["name"] for f in dataset.schema["fields"]]


def _for_crawlers(body, mimetype):
    """robots.txt and the sitemap's files: kept an hour by any cache, and 304 to a crawler that has this version.
    Built whole to be hashed (a sitemap part is at most sitemap.LIMIT addresses, a few megabytes)."""
    response = Response(body, mimetype=mimetype, headers={"Cache-Control": CRAWLERS_CACHE})
    response.add_etag()
    return response.make_conditional(request)


def _stored_or_404(name):
    file = snapshots.stored_file(name)
    if file is None:
        abort(404)
    return download(snapshots.file_chunks(file), file.sha256, file.media_type, file.name, file.size)


@bp.route("/donnees")
@public
@in_site_map(_l("Open data"), ABOUT + 5)
def portal():
    files, language = snapshots.listed(), current_language()
    api_document, api_root, feeds = _mounted()
    return render_template(
        "opendata/portal.html", shown=_shown(files, language), size=partial(_file_size, language=language),
        licence=LICENCE,
        csv_formulas=CSV_FORMULAS, updated=snapshots.last_refresh(files), package=files.get(snapshots.DATAPACKAGE),
        archive=files.get(snapshots.ZIP), api_document=api_document, api_root=api_root, feeds=feeds)


@bp.route("/donnees/<name>.<any(csv, json):extension>")
@public
@stateless
def dataset_file(name, extension):
    dataset = get(name)
    if dataset is None:
        abort(404)
    return _stored_or_404(file_name(dataset, extension))


@bp.route("/donnees/schemas/<name>.schema.json")
@public
@stateless
def schema(name):
    if get(name) is None:
        abort(404)
    return schema_download(SCHEMAS / f"{name}.schema.json", "application/json")


@bp.route("/donnees/datapackage.json")
@public
@stateless
@not_in_site_map("the data package, for the programs that read the datasets (linked from the portal)")
def datapackage():
    return _stored_or_404(snapshots.DATAPACKAGE)


@bp.route("/donnees/civic-donnees.zip")
@public
@stateless
@not_in_site_map("every dataset in one file (linked from the portal)")
def archive():
    return _stored_or_404(snapshots.ZIP)


@bp.route("/donnees/catalogue.jsonld")
@public
@stateless
@not_in_site_map("the DCAT catalogue, for harvesters such as data.gouv.fr (linked from the portal)")
def catalogue():
    body = json.dumps(dcat_catalogue(datasets(), snapshots.stored()), ensure_ascii=False, indent=1).encode()
    return download(body, hashlib.sha256(body).hexdigest(), "application/ld+json")


@bp.route("/robots.txt")
@public
@stateless
@not_in_site_map("for search engines")
def robots():
    return _for_crawlers(sitemap.robots_txt(), "text/plain")


@bp.route("/sitemap.xml")
@public
@stateless
@not_in_site_map("for search engines; the site map page is legal.sitemap")
def sitemap_xml():
    return _for_crawlers("".join(sitemap.sitemap()), "application/xml")


@bp.route("/sitemap/<name>-<int:number>.xml")
@public
@stateless
def sitemap_part(name, number):
    part = sitemap.sitemap_part(name, number)
    if part is None:
        abort(404)
    return _for_crawlers("".join(part), "application/xml")

