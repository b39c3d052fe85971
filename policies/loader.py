"""Load policy YAML into a Mandate; every error names file, line, field path and expectation."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from policies.errors import PolicyError, Problem
from policies.mandate import Mandate, line_of
from policies.model import Policy, money_context

DEFAULT_POLICY_PATH = Path(__file__).with_name("default.yml")
Lines = dict[tuple[str | int, ...], int]


class _Loader(yaml.SafeLoader):
    """Safe YAML, but decimals stay exact: 19.99 becomes Decimal('19.99'), never a float."""


def _exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf, .nan: let the schema reject them with a clear message
        return loader.construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:float", _exact_float)


def load_mandate(path: str | Path) -> Mandate:
    """Load and validate one policy file; raise PolicyError listing every problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([Problem(file, None, "", f"cannot read the file: {exc}")]) from None
    return load_mandate_text(text, source=file)


def load_default() -> Mandate:
    """The shipped default mandate (policies/default.yml)."""
    return load_mandate(DEFAULT_POLICY_PATH)


def load_mandate_text(text: str, *, source: str = "<string>") -> Mandate:
    data, lines = parse_yaml(text, source)
    return load_mandate_data(data, source=source, lines=lines)


def load_mandate_data(
    data: Any, *, source: str = "<data>", lines: Mapping[tuple[str | int, ...], int] | None = None
) -> Mandate:
    """Validate already-parsed data (e.g. built in a test); lines locate errors when known."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise PolicyError([Problem(source, lines.get(()), "", "expected a mapping of policy keys")])
    try:
        policy = Policy.model_validate(data, context=money_context(data))
    except ValidationError as exc:
        errors = _without_echoes(exc.errors(include_url=False))
        problems = [_problem(err, data, source, lines) for err in errors]
        problems.sort(key=lambda p: p.line or 0)  # stable: same-line problems keep their order
        raise PolicyError(problems) from None
    return Mandate.from_policy(policy, source=source, lines=lines)


def parse_yaml(text: str, source: str) -> tuple[Any, Lines]:
    """Parse YAML and record the line of every key and list item, keyed by field path."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PolicyError([Problem(source, None, "", "the file is empty")])
        lines: Lines = {}
        problems: list[Problem] = []
        _record_lines(node, (), lines, problems, source)
        if problems:
            raise PolicyError(problems)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        raise PolicyError([Problem(source, line, "", f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([Problem(source, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def _record_lines(
    node: yaml.Node, path: tuple[str | int, ...], lines: Lines, problems: list[Problem], src: str
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                message = f"duplicate key {key!r} (first on line {seen[key]})"
                problems.append(Problem(src, line, format_path((*path, key)), message))
            seen.setdefault(key, line)
            lines[(*path, key)] = line  # the key's line, where a CX manager looks
            _record_lines(value_node, (*path, key), lines, problems, src)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, problems, src)


def format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _data_path(loc: tuple[str | int, ...], data: Any, missing: bool) -> tuple[str | int, ...]:
    """Map a pydantic error location onto the data: drop union tags and '[key]' markers."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            path.append(part)
            node = node[part]
        elif last and missing:
            path.append(part)  # a missing field: name it
        # else: a discriminator tag ('voucher') or a model name: not part of the file
    return tuple(path)


def _without_echoes(errors: list[Any]) -> list[Any]:
    """Drop "list too short" errors caused only by a broken item inside that list."""
    locs = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e, loc in zip(errors, locs, strict=True)
        if e["type"] != "too_short" or not any(o[: len(loc)] == loc and o != loc for o in locs)
    ]


def _problem(
    err: Mapping[str, Any], data: Any, source: str, lines: Mapping[tuple[str | int, ...], int]
) -> Problem:
    path = _data_path(tuple(err["loc"]), data, missing=err["type"] == "missing")
    return Problem(source, line_of(lines, path), format_path(path), _explain(err))


def _explain(err: Mapping[str, Any]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    got = f", got {value!r}" if not isinstance(value, dict | list) else ""
    loc = tuple(err["loc"])
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "missing":
        return "required field is missing"
    if kind in ("enum", "literal_error"):
        return f"expected one of {ctx.get('expected', '?')}{got}"
    if kind == "union_tag_invalid":
        tags = ctx.get("expected_tags")
        return f"unknown gesture kind {ctx.get('tag')!r}; expected one of {tags}"
    if kind == "union_tag_not_found":
        return "a gesture needs a 'kind' (apology, voucher, replacement, ...)"
    if kind.startswith("int_"):
        return f"expected a whole number{got}"
    if kind.startswith(("float_", "decimal_")):
        return f"expected a number{got}"
    if kind.startswith("bool_"):
        return f"expected true or false{got}"
    if kind.startswith(("date_", "datetime_")):
        return f"expected a date like 2025-12-01{got}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list{got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys{got}"
    if kind == "string_type":
        return f"expected text{got}"
    if kind == "too_short":
        return "expected at least one entry"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{err['msg']}{got}"


def _unknown_field(loc: tuple[str | int, ...]) -> str:
    name = str(loc[-1])
    allowed = _fields_at(Policy, loc[:-1])
    if not allowed:
        return f"unknown field {name!r}"
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {name!r}{hint} (expected one of: {', '.join(sorted(allowed))})"


def _fields_at(root: Any, loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the model reached by following loc through the schema's types."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return []
            tp = tp.model_fields[str(part)].annotation
        elif typing.get_origin(tp) in (tuple, list):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        elif _is_union(tp):
            tp = next((m for m in typing.get_args(tp) if _tag_of(m) == part), None)
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...] (X | None) to the interesting type."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif _is_union(tp) and type(None) in typing.get_args(tp):
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007
        else:
            return tp


def _tag_of(model: Any) -> str | None:
    field = getattr(model, "model_fields", {}).get("kind")
    args = typing.get_args(field.annotation) if field else ()
    return str(args[0]) if args else None
