"""`herstel policies check|explain|simulate`: register() for herstel's CLI, main() standalone."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from herstel.clock import SystemClock
from herstel.reltime import parse_offset
from policies.case import CaseInput
from policies.checks import verdict
from policies.engine import decide
from policies.errors import PolicyError
from policies.explain import render_json, render_text
from policies.loader import DEFAULT_POLICY_PATH, load_mandate
from policies.mandate import Mandate
from policies.replay import ReplayError, read_records
from policies.simulate import Progress, compare
from policies.simulate import render_text as render_simulation

DESCRIPTION = "Check, explain and simulate the mandate policies (what may be given, by whom)."
EXAMPLES_DIR = Path(__file__).with_name("examples")
DEFAULT_CASES = Path(__file__).resolve().parents[1] / "tests/fixtures/policies/cases.jsonl"


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `policies` and its subcommands; `args.handler(args)` runs it (as herstel.cli does)."""
    parser = subparsers.add_parser("policies", help=DESCRIPTION, description=DESCRIPTION)
    add_commands(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herstel policies", description=DESCRIPTION)
    add_commands(parser)
    args = parser.parse_args(argv)
    return int(args.handler(args))


def add_commands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="policies_command", required=True, metavar="COMMAND")
    _add_check(sub.add_parser("check", help="validate policy files (exit 1 on errors)"))
    _add_explain(sub.add_parser("explain", help="what a policy allows for one case, and why"))
    _add_simulate(sub.add_parser("simulate", help="replay past cases under a draft policy"))


def _add_check(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="policy files (default: the default policy and policies/examples)",
    )
    _format_option(check)
    check.set_defaults(handler=cmd_check)


def _add_explain(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("--policy", type=Path, default=DEFAULT_POLICY_PATH)
    explain.add_argument("--case", type=Path, help="the case as a JSON file")
    _case_options(explain)
    explain.add_argument("--now", type=_when, help="decision time, ISO 8601 (default: now)")
    _format_option(explain)
    explain.set_defaults(handler=cmd_explain)


def _add_simulate(simulate: argparse.ArgumentParser) -> None:
    simulate.add_argument("draft", type=Path, help="the draft policy file")
    simulate.add_argument(
        "--current",
        type=Path,
        default=DEFAULT_POLICY_PATH,
        help="the policy in force (default: the default policy)",
    )
    simulate.add_argument(
        "--cases",
        type=Path,
        default=DEFAULT_CASES,
        help="recovery moments as JSON lines (default: the sample cases)",
    )
    simulate.add_argument("--since", type=_period, help="only cases this recent, e.g. 30d, 12h")
    simulate.add_argument("--now", type=_when, help="end of the --since window (default: now)")
    simulate.add_argument("--progress", action="store_true", help="progress bar on stderr")
    _format_option(simulate)
    simulate.set_defaults(handler=cmd_simulate)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _case_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--complaint", help="late_delivery, damaged_product, wrong_item, ...")
    p.add_argument("--hours-late", type=float)
    p.add_argument("--damage", help="cosmetic, partial or unusable")
    p.add_argument("--order-value", help="e.g. 899.00")
    p.add_argument("--item-value", help="what a replacement costs (default: order value)")
    p.add_argument("--shipping-paid", help="what a shipping refund costs")
    p.add_argument("--given-on-order", help="already given on this order")
    p.add_argument("--segment", help="new, regular or vip")
    p.add_argument("--channel", help="webchat or whatsapp")
    p.add_argument("--evidence", help="carrier evidence, e.g. out_for_delivery")
    p.add_argument("--previous-complaints", type=int)
    p.add_argument("--given-to-customer", help="given to this customer in the history window")
    p.add_argument("--treats-this-month", type=int)
    p.add_argument("--demand", help="what the customer asks for, e.g. 100")
    p.add_argument("--day-spent", help="budget spent today")
    p.add_argument("--month-spent", help="budget spent this month")


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 time, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _period(text: str) -> timedelta:
    """A look-back period: 30d, 12h, 1d12h (herstel's relative-time notation, without sign)."""
    try:
        period = parse_offset(text if text.strip()[:1] in "+-" else "+" + text.strip())
    except ValueError:
        period = timedelta(-1)
    if period <= timedelta(0):
        raise argparse.ArgumentTypeError(f"expected a period like 30d or 12h, got {text!r}")
    return period


def _error(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


# --- check ---------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    files = args.files or [DEFAULT_POLICY_PATH, *sorted(EXAMPLES_DIR.glob("*.yml"))]
    reports = [_check_file(f) for f in files]
    failed = sum(1 for r in reports if r["errors"])
    if args.format == "json":
        print(json.dumps({"ok": not failed, "files": reports}, indent=2))
        return 1 if failed else 0
    for r in reports:
        for line in (*r["errors"], *r["warnings"]):
            print(line)
        if not r["errors"]:
            print(
                f"{r['file']}: ok: policy {r['name']} version {r['version']}, {r['rules']} "
                f"rules, {len(r['warnings'])} warning(s)"
            )
    print(f"{len(reports)} file(s) checked, {failed} with errors")
    return 1 if failed else 0


def _check_file(path: Path) -> dict[str, Any]:
    found = verdict(lambda: load_mandate(path))
    report: dict[str, Any] = {"file": str(path), "errors": found.errors, "warnings": found.warnings}
    if found.mandate is not None:
        m = found.mandate
        report.update(name=m.name, version=m.version, rules=len(m.policy.rules))
    return report


# --- explain --------------------------------------------------------------------------


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        mandate = load_mandate(args.policy)
        case_input = _case_input(args)
    except PolicyError as exc:
        return _error(str(exc))
    except (OSError, ValueError) as exc:  # ValidationError is a ValueError
        return _error(f"invalid case: {_short(exc)}")
    case = case_input.to_case()
    decision = decide(case, mandate, now=args.now or SystemClock().now())
    if args.format == "json":
        print(json.dumps(render_json(decision, case), indent=2, ensure_ascii=False))
    else:
        print(render_text(decision, case))
    return 0


_FLAG_FIELDS = {
    "complaint": "complaint",
    "hours_late": "hours_late",
    "damage": "damage",
    "order_value": "order_value",
    "item_value": "item_value",
    "shipping_paid": "shipping_paid",
    "given_on_order": "given_on_order",
    "segment": "segment",
    "channel": "channel",
    "evidence": "evidence",
    "demand": "demand",
}


def _case_input(args: argparse.Namespace) -> CaseInput:
    if args.case is not None:
        return CaseInput.model_validate_json(args.case.read_text(encoding="utf-8"))
    if not args.complaint or not args.order_value:
        raise ValueError("give --case FILE.json, or at least --complaint and --order-value")
    data: dict[str, Any] = {
        k: getattr(args, a) for a, k in _FLAG_FIELDS.items() if getattr(args, a) is not None
    }
    history = {
        "complaints": args.previous_complaints,
        "given": args.given_to_customer,
        "treats_this_month": args.treats_this_month,
    }
    budget = {"day_spent": args.day_spent, "month_spent": args.month_spent}
    data["history"] = {k: v for k, v in history.items() if v is not None}
    data["budget"] = {k: v for k, v in budget.items() if v is not None}
    return CaseInput.model_validate(data)


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
    return str(exc)


# --- simulate -------------------------------------------------------------------------


def cmd_simulate(args: argparse.Namespace) -> int:
    try:
        draft: Mandate = load_mandate(args.draft)
        current: Mandate = load_mandate(args.current)
        records = read_records(args.cases)
    except (PolicyError, ReplayError) as exc:
        return _error(str(exc))
    if args.since is not None:
        start = (args.now or SystemClock().now()) - args.since
        records = [r for r in records if r.occurred_at >= start]
    records.sort(key=lambda r: r.occurred_at)  # budgets fill up in time order
    progress = Progress(2 * len(records), enabled=args.progress or sys.stderr.isatty())
    try:
        result = compare(records, draft, current, tick=progress)
        result["source"] = str(args.cases)
    except ValueError as exc:
        return _error(str(exc))
    finally:
        progress.close()
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(render_simulation(result))
    return 0
