"""The open framework format (careermap/1): parsing, validation and export.

Everything that reads or writes the format goes through this module: the management
commands, the HR pages and the API. Applying a validated document is
`skills.services.framework_import`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import yaml
from django.db.models import Q
from django.utils.text import slugify
from jsonschema import Draft202012Validator, validators

from core.walk import TooDeep, nodes
from skills.models import Category, Expectation, Role, Scale, Skill, default_labels

FORMAT = "careermap/1"
KEY_PATTERN = r"^[A-Za-z0-9_-]*$"  # empty keys get their own message


@dataclass(frozen=True)
class FrameworkError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FrameworkInvalid(Exception):
    def __init__(self, errors: list[FrameworkError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# --- Structure ------------------------------------------------------------------------

# Bounds keep values inside the database's columns and the pages' reach.
MAX_LEVEL = 100
MAX_ROLE_LEVEL = 1000
MAX_ORDER = 1_000_000

_TEXT = {"type": "string"}
_KEY = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": KEY_PATTERN}
_NAME = {"type": "string", "minLength": 1, "maxLength": 200}
_LEVEL = {"type": "integer", "minimum": 0, "maximum": MAX_LEVEL}


def _entry(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """An object whose undefined fields are errors, except those beginning with x_."""
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "patternProperties": {"^x_": {}},
        "additionalProperties": False,
    }


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "careermap framework (careermap/1)",
    "type": "object",
    "properties": {
        "format": {"const": FORMAT},
        "scale": _entry(
            {"min": _LEVEL, "max": _LEVEL, "labels": {"type": "array", "items": _NAME}},
            ["min", "max"],
        ),
        "categories": {
            "type": "array",
            "items": _entry(
                {
                    "key": _KEY,
                    "name": _NAME,
                    "kind": {"enum": [c.value for c in Category.Kind]},
                    "description": _TEXT,
                    "order": {"type": "integer", "minimum": -MAX_ORDER, "maximum": MAX_ORDER},
                },
                ["key", "name"],
            ),
        },
        "skills": {
            "type": "array",
            "items": _entry(
                {
                    "key": _KEY,
                    "name": _NAME,
                    "category": _NAME,
                    "description": _TEXT,
                    "levels": {"type": "object", "additionalProperties": _TEXT},
                    "how_to_grow": _TEXT,
                    "grow_to": {"type": "object", "additionalProperties": _TEXT},
                    "retired": {"type": "boolean"},
                },
                ["key", "name", "category"],
            ),
        },
        "roles": {
            "type": "array",
            "items": _entry(
                {
                    "key": _KEY,
                    "name": _NAME,
                    "track": {"enum": [t.value for t in Role.Track]},
                    "level": {"type": "integer", "minimum": 0, "maximum": MAX_ROLE_LEVEL},
                    "summary": _TEXT,
                    "description": _TEXT,
                    "typical_week": _TEXT,
                    "changes": _TEXT,
                    "variant_of": _KEY,
                    "next_roles": {"type": "array", "items": _KEY},
                    "expectations": {"type": "object", "additionalProperties": _LEVEL},
                    "retired": {"type": "boolean"},
                },
                ["key", "name", "track", "level"],
            ),
        },
    },
}
_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)
_VALIDATOR = _Validator(SCHEMA)

_TYPE_NAMES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "list",
    dict: "mapping",
}


def _type_name(value: Any) -> str:
    if isinstance(value, float):
        return "number"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _structure_errors(document: dict[str, Any]) -> list[FrameworkError]:
    errors: list[FrameworkError] = []
    for error in _VALIDATOR.iter_errors(document):
        path = list(error.absolute_path)
        instance = error.instance
        match error.validator:
            case "additionalProperties":
                allowed = set(error.schema.get("properties", {}))
                for name in instance:
                    if name not in allowed and not str(name).startswith("x_"):
                        errors.append(FrameworkError(_path([*path, name]), "unknown field"))
            case "required":
                for name in error.validator_value:
                    if name not in instance:
                        errors.append(
                            FrameworkError(_path([*path, name]), "required field missing")
                        )
            case "type":
                expected = {"object": "mapping", "array": "list"}.get(
                    error.validator_value, error.validator_value
                )
                message = f"expected {expected}, got {_type_name(instance)}"
                errors.append(FrameworkError(_path(path), message))
            case "enum":
                options = ", ".join(error.validator_value)
                message = f"must be one of {options}, got {instance!r}"
                errors.append(FrameworkError(_path(path), message))
            case "const":
                message = f"unsupported format {instance!r}; expected {FORMAT!r}"
                errors.append(FrameworkError(_path(path), message))
            case "minLength":
                errors.append(FrameworkError(_path(path), "must not be empty"))
            case "maxLength":
                message = f"longer than {error.validator_value} characters"
                errors.append(FrameworkError(_path(path), message))
            case "pattern":
                message = f"{instance!r} may hold only letters, digits, '-' and '_'"
                errors.append(FrameworkError(_path(path), message))
            case "minimum":
                message = f"must be {error.validator_value} or more, got {instance}"
                errors.append(FrameworkError(_path(path), message))
            case "maximum":
                message = f"must be {error.validator_value} or less, got {instance}"
                errors.append(FrameworkError(_path(path), message))
            case _:  # pragma: no cover - every keyword in SCHEMA is handled above
                errors.append(FrameworkError(_path(path), error.message))
    return sorted(set(errors), key=lambda e: (e.path, e.message))


# --- Parsing --------------------------------------------------------------------------


# libyaml's parser where PyYAML was built with it (its wheels are): a 1.8 MB document
# parses in about a fifth of the pure-Python parser's time. The constructors stay
# PyYAML's safe ones, and ours below.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """YAML loader that refuses duplicate keys in a mapping instead of keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found a {_type_name(key)} as a key",
                key_node.start_mark,
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise ValueError(f"duplicate key {key!r}")
        mapping[key] = value
    return mapping


def parse(text: str | bytes) -> Any:
    """Read a YAML or JSON document. Raises FrameworkInvalid if it is neither."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FrameworkInvalid([FrameworkError("document", f"not UTF-8 text: {exc}")]) from exc
    json_error = None
    if text.lstrip().startswith(("{", "[")):
        try:
            return _bounded(json.loads(text, object_pairs_hook=_no_duplicate_pairs))
        except ValueError as exc:
            json_error = exc  # perhaps YAML in flow style: {skills: [...]}
        except RecursionError as exc:
            raise _too_deep() from exc
    try:
        return _bounded(yaml.load(text, Loader=_StrictLoader))
    except (yaml.YAMLError, ValueError) as exc:
        # ValueError: an integer past Python's 4,300 digits, met by PyYAML's constructor.
        message = f"not valid JSON: {json_error}" if json_error else f"not valid YAML: {exc}"
        raise FrameworkInvalid([FrameworkError("document", message)]) from exc
    except RecursionError as exc:
        raise _too_deep() from exc


MAX_DEPTH = 16  # a framework is five levels deep: document, section, item, levels, text
MAX_NUMBER = 10**9  # no level, order or count of a framework comes near


def _bounded(document: Any) -> Any:
    """The document, if no part of it is nested past MAX_DEPTH and no number is past
    MAX_NUMBER (a 4,000-digit integer is valid YAML, and would reach the database).
    Walked by core.walk: without recursion, and safe from YAML's aliases."""
    try:
        for path, item in nodes(document, max_depth=MAX_DEPTH):
            if (
                isinstance(item, int | float)
                and not isinstance(item, bool)
                and not abs(item) <= MAX_NUMBER  # NaN fails too
            ):
                error = FrameworkError(path or "document", f"a number past {MAX_NUMBER:,}")
                raise FrameworkInvalid([error])
    except TooDeep:
        raise _too_deep() from None
    return document


def _too_deep() -> FrameworkInvalid:
    return FrameworkInvalid([FrameworkError("document", "nested too deeply to be a framework")])


# --- Validation -----------------------------------------------------------------------


@dataclass
class Plan:
    """A validated document, normalised and ready to apply."""

    scale: tuple[int, int, list[str]] | None
    categories: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)


MAX_NODES = 200_000  # far above the largest real framework (direct.yaml: ~2,000)


class _Cleaner:
    """One walk over the document: text trimmed of surrounding white space, mapping keys
    made text (YAML reads `1:` as a number), and errors for what cannot be stored: keys
    that collide once trimmed, NUL or lone surrogate characters, runaway size (aliases
    can make a small file huge)."""

    def __init__(self) -> None:
        self.errors: list[FrameworkError] = []
        self.nodes = 0

    def clean(self, value: Any, path: list[Any]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FrameworkInvalid([FrameworkError("document", "too large to be a framework")])
        if isinstance(value, str):
            return self._text(value, path)
        if isinstance(value, list):
            return [self.clean(item, [*path, i]) for i, item in enumerate(value)]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for raw_key, item in value.items():
                key = self._text(str(raw_key), path)
                if key in out:
                    message = f'duplicate key "{key}" once trimmed'
                    self.errors.append(FrameworkError(_path([*path, key]), message))
                    continue
                out[key] = self.clean(item, [*path, key])
            return out
        return value

    def _text(self, value: str, path: list[Any]) -> str:
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            message = "holds a character that is not valid text"
            self.errors.append(FrameworkError(_path(path), message))
            return ""
        return value.strip()


def _level_key(raw: str) -> int | None:
    """Level descriptor keys: integers in YAML, digit strings in JSON (both text by now)."""
    digits = raw.removeprefix("-")
    if digits.isascii() and digits.isdigit():
        return int(raw)
    return None


def _entries(document: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = document.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _duplicates(
    entries: list[tuple[int, dict[str, Any]]], section: str, errors: list[FrameworkError]
) -> None:
    first: dict[str, tuple[int, Any]] = {}
    for i, item in entries:
        key = item.get("key")
        if not isinstance(key, str):
            continue
        if key in first:
            j, name = first[key]
            earlier = f"{section}[{j}]" + (f' ("{name}")' if _is_name(name) else "")
            message = f'duplicate key "{key}", already the key of {earlier}'
            errors.append(FrameworkError(f"{section}[{i}].key", message))
        else:
            first[key] = (i, item.get("name"))


def _is_name(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _named(name: str, key: str) -> str:
    """An item as a message names it: by its name, with its key when that differs."""
    return f'"{name}"' if name == key else f'"{name}" ({key})'


def validate(raw: Any) -> Plan:
    """Check a parsed document against every rule of the format and the stored framework.

    Returns a Plan, or raises FrameworkInvalid listing every error with its path.
    """
    if raw is None or raw == {}:
        raise FrameworkInvalid([FrameworkError("document", "the document is empty")])
    if not isinstance(raw, dict):
        message = f"expected a mapping at the top level, got {_type_name(raw)}"
        raise FrameworkInvalid([FrameworkError("document", message)])
    # Top-level fields the format does not define (source, license, attribution) are
    # ignored, and never walked; inside the sections, unknown fields are errors.
    known = {
        k: v for k, v in raw.items() if isinstance(k, str) and k.strip() in SCHEMA["properties"]
    }
    if not known.keys() - {"format"} and known.get("format", FORMAT) == FORMAT:
        message = "the document holds no scale, categories, skills or roles"
        raise FrameworkInvalid([FrameworkError("document", message)])
    cleaner = _Cleaner()
    document: dict[str, Any] = cleaner.clean(known, [])
    for section in ("categories", "skills", "roles"):
        if document.get(section) is None:
            document[section] = []
        elif isinstance(document[section], list):
            document[section] = [
                {k: v for k, v in item.items() if v is not None or k in ("key", "name")}
                if isinstance(item, dict)
                else item
                for item in document[section]
            ]
    errors = cleaner.errors + _structure_errors(document)

    stored_scale = Scale.current()
    scale, scale_errors = _scale(document.get("scale"))
    errors += scale_errors
    minimum, maximum = (
        (scale[0], scale[1]) if scale else (stored_scale.minimum, stored_scale.maximum)
    )

    def check_level(path: str, level: Any) -> None:
        if _is_level(level) and not minimum <= level <= maximum:
            message = f"level {level} is outside the scale {minimum}-{maximum}"
            errors.append(FrameworkError(path, message))

    categories = _entries(document, "categories")
    skills = _entries(document, "skills")
    roles = _entries(document, "roles")
    for section, entries in (("categories", categories), ("skills", skills), ("roles", roles)):
        _duplicates(entries, section, errors)

    stored_skills = set(Skill.objects.values_list("key", flat=True))
    stored_roles = set(Role.objects.values_list("key", flat=True))
    skill_keys = stored_skills | {s["key"] for _, s in skills if isinstance(s.get("key"), str)}
    role_keys = stored_roles | {r["key"] for _, r in roles if isinstance(r.get("key"), str)}

    for i, skill in skills:
        # levels: a descriptor per level; grow_to (second edition): how to reach a level
        # from the one below, so its lowest key is a step above the scale's minimum.
        for name, lowest in (("levels", minimum), ("grow_to", minimum + 1)):
            by_level = skill.get(name)
            if not isinstance(by_level, dict):
                continue
            normalised: dict[str, str] = {}
            for raw_level, text in by_level.items():
                level = _level_key(raw_level)
                path = f"skills[{i}].{name}.{raw_level}"
                if level is None:
                    errors.append(FrameworkError(path, "a level must be a whole number"))
                    continue
                if str(level) in normalised:
                    errors.append(FrameworkError(path, f"level {level} is described twice"))
                if not lowest <= level <= maximum:
                    message = f"level {level} is outside the scale {minimum}-{maximum}"
                    if level == minimum and name == "grow_to":
                        message = f"level {level} is the lowest level: there is no step to it"
                    errors.append(FrameworkError(path, message))
                if isinstance(text, str) and text:
                    normalised[str(level)] = text
            skill[name] = dict(sorted(normalised.items(), key=lambda item: int(item[0])))

    for i, role in roles:
        variant_of = role.get("variant_of")
        if isinstance(variant_of, str) and variant_of:
            path = f"roles[{i}].variant_of"
            if variant_of == role.get("key"):
                errors.append(FrameworkError(path, "a role cannot be a variant of itself"))
            elif variant_of not in role_keys:
                errors.append(FrameworkError(path, f'unknown role "{variant_of}"'))
        next_roles = role.get("next_roles")
        if isinstance(next_roles, list):
            for j, key in enumerate(next_roles):
                path = f"roles[{i}].next_roles[{j}]"
                if not isinstance(key, str):
                    continue
                if key == role.get("key"):
                    errors.append(FrameworkError(path, "a role cannot be its own next role"))
                elif key not in role_keys:
                    errors.append(FrameworkError(path, f'unknown role "{key}"'))
        expectations = role.get("expectations")
        if isinstance(expectations, dict):
            for skill_key, level in expectations.items():
                path = f"roles[{i}].expectations.{skill_key}"
                if skill_key not in skill_keys:
                    errors.append(FrameworkError(path, "unknown skill"))
                check_level(path, level)

    if scale and (scale[0], scale[1]) != (stored_scale.minimum, stored_scale.maximum):
        # What the document redefines is checked above; what it leaves stored must fit too.
        errors += [
            FrameworkError("scale", message)
            for message in scale_change_errors(
                minimum,
                maximum,
                replaced_roles={r["key"] for _, r in roles if isinstance(r.get("key"), str)},
                replaced_skills={s["key"] for _, s in skills if isinstance(s.get("key"), str)},
            )
        ]

    if errors:
        raise FrameworkInvalid(sorted(set(errors), key=_document_order))

    return Plan(
        scale=scale,
        categories=[c for _, c in categories],
        skills=[s for _, s in skills],
        roles=[r for _, r in roles],
    )


def scale_change_errors(
    minimum: int,
    maximum: int,
    *,
    replaced_roles: frozenset[str] | set[str] = frozenset(),
    replaced_skills: frozenset[str] | set[str] = frozenset(),
) -> list[str]:
    """What the framework stores that a new scale would leave outside it: expectations
    and level descriptors. Items the import redefines (`replaced_*`) are checked on their
    own. Ratings are the assessments app's to check (assessments.services), before it
    applies an import."""
    messages = []
    outside = Q(level__lt=minimum) | Q(level__gt=maximum)
    stranded = (
        Expectation.objects.filter(outside)
        .exclude(role__key__in=replaced_roles)
        .values_list("role__name", "role__key", "skill__name", "skill__key", "level")
        .order_by("role__key", "skill__key")
    )
    for role_name, role_key, skill_name, skill_key, level in stranded:
        messages.append(
            f"role {_named(role_name, role_key)} expects skill {_named(skill_name, skill_key)}"
            f" at level {level}, outside the new scale {minimum}-{maximum}"
        )
    skills = (
        Skill.objects.exclude(key__in=replaced_skills)
        .order_by("key")
        .values_list("name", "key", "levels")
    )
    for name, key, levels in skills:
        for level in sorted(int(k) for k in levels):
            if not minimum <= level <= maximum:
                messages.append(
                    f"skill {_named(name, key)} describes level {level}, "
                    f"outside the new scale {minimum}-{maximum}"
                )
    return messages


def _is_level(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LEVEL


def requested_scale(document: Any) -> tuple[int, int] | None:
    """The (min, max) a document asks for, if it gives a well-formed scale."""
    scale, errors = _scale(document.get("scale") if isinstance(document, dict) else None)
    return None if scale is None or errors else (scale[0], scale[1])


def _scale(raw: Any) -> tuple[tuple[int, int, list[str]] | None, list[FrameworkError]]:
    if not isinstance(raw, dict):
        return None, []
    minimum, maximum, labels = raw.get("min"), raw.get("max"), raw.get("labels")
    if not (_is_level(minimum) and _is_level(maximum)):
        return None, []  # reported by the structure check
    if maximum <= minimum:
        return None, [FrameworkError("scale.max", f"must be above min ({minimum}), got {maximum}")]
    count = maximum - minimum + 1
    if labels is None:
        return (minimum, maximum, default_labels(minimum, maximum)), []
    if not isinstance(labels, list) or not all(
        isinstance(label, str) and label for label in labels
    ):
        return None, []  # reported by the structure check
    if len(labels) != count:
        message = f"expected {count} labels (one per level {minimum}-{maximum}), got {len(labels)}"
        return None, [FrameworkError("scale.labels", message)]
    return (minimum, maximum, list(labels)), []


_SECTIONS = ["document", "format", "scale", "categories", "skills", "roles"]


def _document_order(error: FrameworkError) -> tuple[int, int, str]:
    """Errors in document order: scale, categories, skills, roles; by index within."""
    head = error.path.split(".")[0].split("[")[0]
    index = int(error.path.split("[")[1].split("]")[0]) if "[" in error.path else -1
    return (_SECTIONS.index(head) if head in _SECTIONS else 0, index, str(error))


def category_key_for(name: str, taken: set[str]) -> str:
    """A new category's key made from its name: slugified, `-2`, `-3`... on collision."""
    base = slugify(name)[:90] or "category"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# --- Export ---------------------------------------------------------------------------


def category_entry(category: Category) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": category.key, "name": category.name, "kind": category.kind}
    if category.description:
        entry["description"] = category.description
    entry["order"] = category.order
    return entry


def skill_entry(skill: Skill) -> dict[str, Any]:
    """A stored skill as the format writes it (its category must be loaded)."""
    entry: dict[str, Any] = {"key": skill.key, "name": skill.name, "category": skill.category.key}
    if skill.description:
        entry["description"] = skill.description
    if skill.levels:
        entry["levels"] = {int(k): v for k, v in sorted(skill.levels.items(), key=_by_level)}
    if skill.how_to_grow:
        entry["how_to_grow"] = skill.how_to_grow
    if skill.grow_to:
        entry["grow_to"] = {int(k): v for k, v in sorted(skill.grow_to.items(), key=_by_level)}
    if skill.retired:
        entry["retired"] = True
    return entry


def role_entry(role: Role) -> dict[str, Any]:
    """A stored role as the format writes it (load it with `Role.objects.with_links()`)."""
    entry: dict[str, Any] = {
        "key": role.key,
        "name": role.name,
        "track": role.track,
        "level": role.level,
    }
    if role.summary:
        entry["summary"] = role.summary
    for name in ("description", "typical_week", "changes"):
        if getattr(role, name):
            entry[name] = getattr(role, name)
    if role.variant_of_id is not None:
        entry["variant_of"] = role.variant_of.key  # type: ignore[union-attr]
    next_roles = sorted(r.key for r in role.next_roles.all())
    if next_roles:
        entry["next_roles"] = next_roles
    expectations = sorted((e.skill.key, e.level) for e in role.expectations.all())
    if expectations:
        entry["expectations"] = dict(expectations)
    if role.retired:
        entry["retired"] = True
    return entry


def export() -> dict[str, Any]:
    """The whole stored framework as an open-format document (retired items included)."""
    scale = Scale.current()
    skills = Skill.objects.select_related("category").order_by(
        "category__order", "category__key", "key"
    )
    roles = Role.objects.with_links()
    return {
        "format": FORMAT,
        "scale": {"min": scale.minimum, "max": scale.maximum, "labels": list(scale.labels)},
        "categories": [category_entry(c) for c in Category.objects.order_by("order", "key")],
        "skills": [skill_entry(s) for s in skills],
        "roles": [role_entry(r) for r in roles.order_by("track", "level", "key")],
    }


def _by_level(item: tuple[str, str]) -> int:
    return int(item[0])


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text as a readable block; PyYAML falls back to quotes where a block
    # cannot hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(document: dict[str, Any], fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
