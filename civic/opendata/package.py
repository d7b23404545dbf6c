"""What describes the datasets to programs: the site's Frictionless data package (datapackage.json, in the ZIP
and at /donnees) and the DCAT-AP 2 catalogue in JSON-LD that data.gouv.fr harvests.

The data package names its files by paths relative to itself (``themes.csv``, ``schemas/themes.schema.json``):
the same file is right inside the ZIP and online, where /donnees/datapackage.json resolves them to
/donnees/themes.csv. Both describe the files as stored (civic.opendata.snapshots): sizes and hashes are theirs.
"""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .. import identity
from ..links import public_url

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# The formula guard of the CSV files (civic.opendata.files.csv_cell) changes their text: said wherever they are offered.
CSV_FORMULAS = _l("In the CSV files, a text that begins with -, +, =, @, a tab or a line break starts with an "
                  "apostrophe (') that spreadsheets do not run as a formula: the JSON files and the API give the exact "
                  "text.")
PACKAGE_NAME = "civic-donnees"
TITLE = _l("Open data of %(name)s")
DESCRIPTION = _l("Everything public on the participation site, as datasets: what residents proposed and said, "
                 "what the collectivité answered and decided, and how.")
FORMAT_URIS = {"csv": "http://publications.europa.eu/resource/authority/file-type/CSV",
               "json": "http://publications.europa.eu/resource/authority/file-type/JSON"}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
# DCAT-AP's media types are IANA's registry, named by its http:// address.
IANA = "http://www.iana.org/assignments/media-types/"
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"
# The EU's data theme of everything here: "Government and public sector".
THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
FRENCH = "http://publications.europa.eu/resource/authority/language/FRA"


def file_name(dataset, extension):
    return f"{dataset.name}.{extension}"


def schema_path(dataset):
    return f"schemas/{dataset.name}.schema.json"


def _in(locale, text, **values):
    with force_locale(locale):
        return str(text) % values if values else str(text)


def _package_description(locale):
    return f"{_in(locale, DESCRIPTION)} {_in(locale, CSV_FORMULAS)}"


def _publisher(site):
    return {"title": site.name, "role": "publisher", "path": public_url("main.home"),
            **({"x_siret": site.siret} if site.siret else {})}


def _resource(dataset, file):
    schema = dataset.schema
    return {
        "name": dataset.name, "path": file_name(dataset, "csv"),
        "title": schema.get("title", _in("fr", dataset.title)), "x_title_en": _in("en", dataset.title),
        "description": schema.get("description", _in("fr", dataset.description)),
        "x_description_en": _in("en", dataset.description),
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "bytes": file.size, "hash": f"sha256:{file.sha256}", "schema": schema_path(dataset),
    }


def datapackage(datasets, files, now):
    """The data package of the stored ``files`` ({name: OpenDataFile}); a resource's schema (its foreign keys
    name the other resources) is the one kept in schemas/, beside it in the ZIP and online."""
    site = identity.current()
    return {
        "name": PACKAGE_NAME,
        "title": _in("fr", TITLE, name=site.name), "x_title_en": _in("en", TITLE, name=site.name),
        "description": _package_description("fr"), "x_description_en": _package_description("en"),
        "homepage": public_url("opendata.portal"),
        "licenses": [LICENCE],
        "contributors": [_publisher(site)],
        "created": now.isoformat(),
        "keywords": ["participation", "open data", "données ouvertes"],
        "resources": [_resource(d, files[file_name(d, "csv")]) for d in datasets],
    }


def _text(value, locale="fr"):
    return {"@value": value, "@language": locale}


def _distribution(dataset, extension, file):
    return {
        "@id": public_url("opendata.dataset_file", name=dataset.name, extension=extension),
        "@type": "dcat:Distribution",
        "dct:title": _text(file.name),
        "dcat:accessURL": {"@id": public_url("opendata.portal")},
        "dcat:downloadURL": {"@id": public_url("opendata.dataset_file", name=dataset.name, extension=extension)},
        "dcat:mediaType": {"@id": IANA + MEDIA_TYPES[extension]},
        "dct:format": {"@id": FORMAT_URIS[extension]},
        "dcat:byteSize": {"@value": str(file.size), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                          "spdx:checksumValue": file.sha256},
        "dct:conformsTo": {"@id": public_url("opendata.schema", name=dataset.name)},
        "dct:license": {"@id": LICENCE["path"]},
        "dct:modified": {"@value": file.generated_at.isoformat(), "@type": "xsd:dateTime"},
    }


def _whole_distribution(endpoint, file, conforms_to=None):
    """The ZIP or the data package: a distribution of the whole package."""
    node = {
        "@id": public_url(endpoint), "@type": "dcat:Distribution", "dct:title": _text(file.name),
        "dcat:accessURL": {"@id": public_url("opendata.portal")}, "dcat:downloadURL": {"@id": public_url(endpoint)},
        "dcat:mediaType": {"@id": IANA + file.media_type},
        "dcat:byteSize": {"@value": str(file.size), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                          "spdx:checksumValue": file.sha256},
        "dct:license": {"@id": LICENCE["path"]},
        "dct:modified": {"@value": file.generated_at.isoformat(), "@type": "xsd:dateTime"},
    }
    if conforms_to:
        node["dct:conformsTo"] = {"@id": conforms_to}
    return node


def _package_dataset(site, files, publisher, contact):
    """Every dataset at once, as the ZIP and the data package offer it (the portal's "Everything at once")."""
    stored = [(endpoint, files.get(name), spec) for endpoint, name, spec in (
        ("opendata.archive", "civic-donnees.zip", None),
        ("opendata.datapackage", "datapackage.json", DATA_PACKAGE_SPEC))]
    return {
        "@id": public_url("opendata.portal", _anchor=PACKAGE_NAME), "@type": "dcat:Dataset",
        "dct:identifier": public_url("opendata.portal", _anchor=PACKAGE_NAME),
        "dct:title": [_text(_in("fr", TITLE, name=site.name)), _text(_in("en", TITLE, name=site.name), "en")],
        "dct:description": [_text(_package_description("fr")), _text(_package_description("en"), "en")],
        "dcat:keyword": ["participation", PACKAGE_NAME], "dcat:theme": {"@id": THEME}, "dct:publisher": publisher,
        **contact, "dct:license": {"@id": LICENCE["path"]}, "dct:language": {"@id": FRENCH},
        "dct:accrualPeriodicity": {"@id": DAILY}, "dcat:landingPage": {"@id": public_url("opendata.portal")},
        "dcat:distribution": [_whole_distribution(endpoint, file, spec) for endpoint, file, spec in stored if file],
    }


def _contact(site):
    """{"dcat:contactPoint": ...} with the collectivité's e-mail and contact form, when it gave one; else {}."""
    card = {"@type": "vcard:Organization", "vcard:fn": site.name,
            **({"vcard:hasEmail": {"@id": f"mailto:{site.email}"}} if site.email else {}),
            **({"vcard:hasURL": {"@id": site.contact_url}} if site.contact_url else {})}
    return {"dcat:contactPoint": card} if site.email or site.contact_url else {}


def _dataset(dataset, files, publisher, contact):
    stored = [(extension, files.get(file_name(dataset, extension))) for extension in ("csv", "json")]
    stored = [(extension, file) for extension, file in stored if file is not None]
    node = {
        "@id": public_url("opendata.portal", _anchor=dataset.name),
        "@type": "dcat:Dataset",
        "dct:identifier": public_url("opendata.portal", _anchor=dataset.name),
        "dct:title": [_text(_in("fr", dataset.title)), _text(_in("en", dataset.title), "en")],
        "dct:description": [_text(_in("fr", dataset.description)), _text(_in("en", dataset.description), "en")],
        "dcat:keyword": ["participation", dataset.name],
        "dcat:theme": {"@id": THEME},
        "dct:publisher": publisher,
        **contact,
        "dct:license": {"@id": LICENCE["path"]},
        "dct:language": {"@id": FRENCH},
        "dct:accrualPeriodicity": {"@id": DAILY},
        "dcat:landingPage": {"@id": public_url("opendata.portal", _anchor=dataset.name)},
        "dct:conformsTo": {"@id": public_url("opendata.schema", name=dataset.name)},
        "dcat:distribution": [_distribution(dataset, extension, file) for extension, file in stored],
    }
    if stored:
        node["dct:issued"] = {"@value": min(f.issued_at for _e, f in stored).isoformat(), "@type": "xsd:dateTime"}
        node["dct:modified"] = {"@value": max(f.generated_at for _e, f in stored).isoformat(),
                                "@type": "xsd:dateTime"}
    return node


def catalogue(datasets, files):
    """The DCAT-AP 2 catalogue (JSON-LD) of the datasets and their stored ``files`` ({name: OpenDataFile})."""
    site = identity.current()
    publisher = {"@id": public_url("main.home"), "@type": "foaf:Organization", "foaf:name": site.name,
                 **({"dct:identifier": site.siret} if site.siret else {})}
    contact = _contact(site)
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/", "spdx": "http://spdx.org/rdf/terms#",
                     "vcard": "http://www.w3.org/2006/vcard/ns#", "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": public_url("opendata.catalogue"),
        "@type": "dcat:Catalog",
        "dct:title": [_text(_in("fr", TITLE, name=site.name)), _text(_in("en", TITLE, name=site.name), "en")],
        "dct:description": [_text(_in("fr", DESCRIPTION)), _text(_in("en", DESCRIPTION), "en")],
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": public_url("opendata.portal")},
        "dct:license": {"@id": LICENCE["path"]},
        "dct:language": {"@id": FRENCH},
        "dcat:dataset": [_dataset(d, files, publisher, contact) for d in datasets]
        + [_package_dataset(site, files, publisher, contact)],
    }
