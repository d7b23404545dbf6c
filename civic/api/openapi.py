"""The API's OpenAPI 3.1 document, made from the registry of datasets and their Table Schemas (schemas/): a dataset
registered with ``api`` is documented with its object's schema the moment it exists, and the document cannot say
something of a field that its Table Schema does not.

A Table Schema field becomes a JSON Schema (2020-12, OpenAPI 3.1's dialect): its type and format, its constraints
(enum, bounds, lengths, pattern), and null allowed through a type array when the field is not required. Titles and
descriptions are in the reader's language (the schemas hold both)."""
from flask_babel import gettext as _

from .. import identity
from ..i18n import current_language
from ..links import public_url
from ..opendata import datasets

VERSION = "1.0.0"
PAGE_DEFAULT, PAGE_MAX = 50, 500
LICENCE = {"name": "Licence Ouverte / Open Licence 2.0", "identifier": "etalab-2.0"}

# Table Schema's types in JSON: dates and times are ISO 8601 text, as the datasets' JSON files write them.
TYPES = {
    "string": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
    "boolean": {"type": "boolean"}, "object": {"type": "object"}, "array": {"type": "array"},
    "date": {"type": "string", "format": "date"}, "datetime": {"type": "string", "format": "date-time"},
    "time": {"type": "string", "format": "time"}, "year": {"type": "integer"},
}
# Table Schema's formats of strings that JSON Schema names too.
STRING_FORMATS = {"email": "email", "uri": "uri", "uuid": "uuid"}
BOUNDS = ("minimum", "maximum", "minLength", "maxLength")


def _text(described, name):
    """A schema's title or description in the reader's language (French, or the x_..._en the schemas add)."""
    if current_language() == "en" and described.get(f"x_{name}_en"):
        return described[f"x_{name}_en"]
    return described.get(name)


def field_schema(field):
    """The JSON Schema of one Table Schema field's values in the API's objects."""
    kind = field.get("type", "string")
    if kind == "any":
        schema = {}
    elif kind in TYPES:
        schema = dict(TYPES[kind])
    else:
        raise ValueError(f"field {field['name']}: the API does not know the Table Schema type {kind!r}")
    if kind == "string" and field.get("format") in STRING_FORMATS:
        schema["format"] = STRING_FORMATS[field["format"]]
    constraints = field.get("constraints", {})
    schema.update({bound: constraints[bound] for bound in BOUNDS if bound in constraints})
    if "pattern" in constraints:
        schema["pattern"] = f"^(?:{constraints['pattern']})$"  # Table Schema's patterns match the whole value
    required = constraints.get("required", False)
    if "enum" in constraints:
        schema["enum"] = list(constraints["enum"]) + ([] if required else [None])
    if not required and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    for name in ("title", "description"):
        if _text(field, name):
            schema[name] = _text(field, name)
    return schema


def item_schema(dataset):
    """An object of the dataset: exactly the fields of its Table Schema."""
    fields = dataset.schema["fields"]
    schema = {"type": "object", "properties": {f["name"]: field_schema(f) for f in fields},
              "required": [f["name"] for f in fields], "additionalProperties": False}
    for name in ("title", "description"):
        if _text(dataset.schema, name):
            schema[name] = _text(dataset.schema, name)
    return schema


def served():
    """The datasets the API serves, in the portal's order."""
    return [d for d in datasets.datasets() if d.api]


def has_items(dataset):
    """Whether an object can be read alone by its key: when one record is one row, its primary key being the
    records' key (a long table, several rows per record, has none)."""
    primary_key = dataset.schema.get("primaryKey")
    primary_key = [primary_key] if isinstance(primary_key, str) else primary_key
    return primary_key == [dataset.key.key]


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name, description):
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _errors(*codes):
    descriptions = {400: _("A parameter is not valid: the message says which."),
                    404: _("There is no such collection or object."),
                    429: _("Too many requests from this address: wait a minute.")}
    return {str(code): _json("Error", descriptions[code]) for code in codes}


def _page_schema(dataset):
    return {"type": "object", "required": ["data", "next"], "additionalProperties": False, "properties": {
        "data": {"type": "array", "items": _ref(dataset.name)},
        "next": {"type": ["string", "null"], "format": "uri",
                 "description": _("The address of the next page, null on the last one.")}}}


def _collection_path(dataset):
    return {"get": {
        "operationId": f"list_{dataset.name}", "tags": [dataset.name],
        "summary": str(dataset.title), "description": str(dataset.description),
        "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
        "responses": {"200": _json(f"{dataset.name}_page", _("A page of objects, in the order of their key.")),
                      **_errors(400, 404, 429)}}}


def _item_path(dataset):
    key = next(f for f in dataset.schema["fields"] if f["name"] == dataset.key.key)
    schema = field_schema({**key, "constraints": {**key.get("constraints", {}), "required": True}})
    return {"get": {
        "operationId": f"get_{dataset.name}", "tags": [dataset.name],
        "summary": _("One object of %(collection)s", collection=dataset.title),
        "parameters": [{"name": key["name"], "in": "path", "required": True, "schema": schema}],
        "responses": {"200": _json(dataset.name, _("The object.")), **_errors(404, 429)}}}


def _common_schemas():
    text = {"type": "string"}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "title", "message"],
            "properties": {"status": {"type": "integer"}, "title": text, "message": text}}}},
        "Index": {"type": "object", "required": ["title", "openapi", "collections"], "properties": {
            "title": text, "openapi": {"type": "string", "format": "uri"},
            "collections": {"type": "array", "items": {
                "type": "object", "required": ["name", "title", "description", "href"],
                "properties": {"name": text, "title": text, "description": text,
                               "href": {"type": "string", "format": "uri"}}}}}},
    }


def title():
    return _("Open data API of %(name)s", name=identity.current().name)


def document():
    """The OpenAPI 3.1 document of the API as it is served now, in the reader's language."""
    who = identity.current()
    contact = {"name": who.name, "url": who.contact_url or public_url("main.home")}
    if who.email:
        contact["email"] = who.email
    paths = {
        "/": {"get": {"operationId": "index", "summary": _("The collections and their addresses"),
                      "responses": {"200": _json("Index", _("The collections.")), **_errors(429)}}},
        "/openapi.json": {"get": {"operationId": "openapi", "summary": _("This document"), "responses": {
            "200": {"description": _("The OpenAPI 3.1 document."),
                    "content": {"application/json": {"schema": {"type": "object"}}}}, **_errors(429)}}},
    }
    schemas = _common_schemas()
    for dataset in served():
        paths[f"/{dataset.name}"] = _collection_path(dataset)
        schemas[dataset.name] = item_schema(dataset)
        schemas[f"{dataset.name}_page"] = _page_schema(dataset)
        if has_items(dataset):
            paths[f"/{dataset.name}/{{{dataset.key.key}}}"] = _item_path(dataset)
    return {
        "openapi": "3.1.0",
        "info": {"title": title(), "version": VERSION, "license": LICENCE, "contact": contact,
                 "description": _("The public records of the site, read-only: the same rows as the open data files, "
                                  "the same as the public pages show. No personal data.")},
        "servers": [{"url": public_url("api.index").rstrip("/")}],
        "tags": [{"name": d.name, "description": str(d.title)} for d in served()],
        "paths": paths,
        "components": {"schemas": schemas, "parameters": {
            "limit": {"name": "limit", "in": "query", "required": False,
                      "description": _("How many objects the page holds, from 1 to %(max)s (%(default)s when "
                                       "not given).", max=PAGE_MAX, default=PAGE_DEFAULT),
                      "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT}},
            "cursor": {"name": "cursor", "in": "query", "required": False, "description": _("Where the page starts: the cursor of the previous page's next "
                                                                      "link, as it is given."),
                       "schema": {"type": "string"}}}},
    }
