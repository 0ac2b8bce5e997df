"""The scenario format's JSON Schema (``scenario.schema.json``, shipped beside this
module) and the loader's own reading of it.

jsonschema is not a dependency of the package, so the loader checks a scenario
against the schema itself, with the few keywords the schema uses; its errors name
the field by its path (``jobs[0].steps[1].status``). The schema is the one
description of the format: the keys the loader accepts are the schema's.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any, cast

SCHEMA_FILE = "scenario.schema.json"

_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list,),
    "null": (type(None),),
}
_NOUNS = {"object": "an object", "array": "a list", "integer": "an integer", "null": "null"}


@functools.cache
def scenario_schema() -> Mapping[str, Any]:
    """The JSON Schema of a scenario, as shipped in the package."""
    loaded: Mapping[str, Any] = json.loads(
        files("pytest_amplify.testing").joinpath(SCHEMA_FILE).read_text("utf-8")
    )
    return loaded


def _is(value: object, type_name: str) -> bool:
    # JSON's true is not a number, though Python's bool is an int.
    if isinstance(value, bool) and type_name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[type_name])


def _noun(type_name: str) -> str:
    return _NOUNS.get(type_name, f"a {type_name}")


def _key_path(path: str, key: str) -> str:
    """``jobs[0].status``; a key that is not a name (a page's path) as ``pages['/']``,
    as jsonschema writes it."""
    if not key.isidentifier():
        return f"{path}[{key!r}]"
    return f"{path}.{key}" if path else key


class _Checker:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self._root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
        return schema

    def fails(self, value: object, schema: Mapping[str, Any]) -> bool:
        try:
            self.check(value, schema, "")
        except ValueError:
            return True
        return False

    def check(self, value: object, schema: Mapping[str, Any], path: str) -> None:
        schema = self.resolve(schema)
        where = f"scenario {path}".rstrip()
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            if not any(_is(value, name) for name in names):
                wanted = " or ".join(_noun(name) for name in names)
                raise ValueError(f"{where}: expected {wanted}, got {json.dumps(value)[:60]}")
        if "const" in schema and value != schema["const"]:
            raise ValueError(f"{where}: {value!r} is not {schema['const']!r}")
        if "enum" in schema and value not in schema["enum"]:
            noun = schema.get("title", "allowed")
            raise ValueError(
                f"{where}: {value!r} is not {noun}; one of {', '.join(map(str, schema['enum']))}"
            )
        if isinstance(value, str):
            self._check_string(value, schema, where)
        elif _is(value, "number"):
            self._check_number(value, schema, where)  # type: ignore[arg-type]
        elif isinstance(value, Mapping):
            self._check_object(value, schema, path)
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.check(item, schema["items"], f"{path}[{index}]")
        self._check_combinations(value, schema, path)

    def _check_string(self, value: str, schema: Mapping[str, Any], where: str) -> None:
        if len(value) < schema.get("minLength", 0):
            raise ValueError(f"{where}: must not be empty")
        pattern = schema.get("pattern")
        if pattern is not None and not re.search(pattern, value):
            noun = schema.get("title", f"valid here (it must match {pattern})")
            hint = schema.get("description", "")
            raise ValueError(f"{where}: {value!r} is not {noun}. {hint}".rstrip())

    def _check_number(self, value: float, schema: Mapping[str, Any], where: str) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            raise ValueError(f"{where}: must be {schema['minimum']} or more, not {value!r}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            raise ValueError(
                f"{where}: must be more than {schema['exclusiveMinimum']}, not {value!r}"
            )

    def _check_object(self, value: Mapping[str, Any], schema: Mapping[str, Any], path: str) -> None:
        where = f"scenario {path}".rstrip()
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if extra is False:
            unknown = sorted(set(value) - set(properties))
            if unknown:
                raise ValueError(
                    f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(unknown)}; allowed: {', '.join(sorted(properties))}"
                )
        missing = [key for key in schema.get("required", ()) if key not in value]
        if missing:
            raise ValueError(f"{where}: {schema.get('title', 'this')} needs {', '.join(missing)}")
        if len(value) < schema.get("minProperties", 0):
            raise ValueError(f"{where}: must not be empty")
        for key, item in value.items():
            inner = properties.get(key, extra if isinstance(extra, Mapping) else None)
            if inner is not None:
                self.check(item, inner, _key_path(path, key))

    def _check_combinations(self, value: object, schema: Mapping[str, Any], path: str) -> None:
        if "if" in schema:
            branch = "else" if self.fails(value, schema["if"]) else "then"
            if branch in schema:
                self.check(value, schema[branch], path)
        one_of: Sequence[Mapping[str, Any]] = schema.get("oneOf", ())
        if one_of and sum(not self.fails(value, option) for option in one_of) != 1:
            # The schema uses oneOf only for alternatives of one required key each.
            keys = [key for option in one_of for key in option.get("required", ())]
            where = f"scenario {path}".rstrip()
            raise ValueError(f"{where}: needs exactly one of {', '.join(keys)}")


def check_scenario(scenario: object) -> Mapping[str, Any]:
    """``scenario`` if it is valid against the schema; else a ValueError that names
    the first wrong field by its path."""
    root = scenario_schema()
    _Checker(root).check(scenario, root, "")
    return cast("Mapping[str, Any]", scenario)
