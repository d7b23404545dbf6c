"""The part of JSON Schema (2020-12) that schemas/ uses, to validate published JSON in the tests.

The test dependencies have no JSON Schema validator (jsonschema is not installed): this one knows the keywords
our schemas use and refuses a schema with any other, so that a keyword is never silently ignored. "format" is
an annotation in 2020-12 (not asserted by default): it is ignored here as it would be there.
"""
import re

KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "type", "required", "properties",
         "patternProperties", "additionalProperties", "enum", "minimum", "minLength", "items", "minItems", "maxItems",
         "uniqueItems", "oneOf", "format"}
TYPES = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool}


def _is(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def errors(instance, schema, root=None, path="$"):
    """Every way ``instance`` breaks ``schema``, as "path: what" strings (empty when valid)."""
    root = root or schema
    unknown = set(schema) - KNOWN
    if unknown:
        raise ValueError(f"{path}: keywords this validator does not know: {sorted(unknown)}")
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return errors(instance, target, root, path)
    found = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(instance, n) for n in names):
            return [f"{path}: {instance!r} is not of type {names}"]
    if "enum" in schema and instance not in schema["enum"]:
        found.append(f"{path}: {instance!r} is not one of {schema['enum']}")
    if "minimum" in schema and _is(instance, "number") and instance < schema["minimum"]:
        found.append(f"{path}: {instance} is less than {schema['minimum']}")
    if "minLength" in schema and isinstance(instance, str) and len(instance) < schema["minLength"]:
        found.append(f"{path}: too short")
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not errors(instance, s, root, path)]
        if len(passing) != 1:
            found.append(f"{path}: matches {len(passing)} of the oneOf schemas, not exactly one")
    if isinstance(instance, dict):
        for key in schema.get("required", ()):
            if key not in instance:
                found.append(f"{path}: {key!r} is required")
        for key, value in instance.items():
            matched = []
            if key in schema.get("properties", {}):
                matched.append(schema["properties"][key])
            matched += [s for pattern, s in schema.get("patternProperties", {}).items() if re.search(pattern, key)]
            for sub in matched:
                found += errors(value, sub, root, f"{path}.{key}")
            extra = schema.get("additionalProperties", True)
            if not matched and extra is False:
                found.append(f"{path}: {key!r} is not allowed")
            elif not matched and isinstance(extra, dict):
                found += errors(value, extra, root, f"{path}.{key}")
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            found.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            found.append(f"{path}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({repr(i) for i in instance}) != len(instance):
            found.append(f"{path}: items are not unique")
        for index, item in enumerate(instance):
            if "items" in schema:
                found += errors(item, schema["items"], root, f"{path}[{index}]")
    return found
