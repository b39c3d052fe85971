"""The simulator's scenario file: the demo contract, and errors that name what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carriers.simulator.__main__ import main as simulator_main
from carriers.simulator.scenarios import ScenarioFileError, load_scenarios

DEMO_NUMBERS = {
    "3SHRST100482": "postnl",
    "3SHRST100517": "postnl",
    "JVGL0560100301": "dhl",
    "3SHRST100302": "postnl",
    "JVGL0560100303": "dhl",
    "3SHRST100304": "postnl",
    "JVGL0560100305": "dhl",
    "3SHRST100306": "postnl",
    "3SHRST100307": "postnl",
    "JVGL0560100308": "dhl",
    "3SHRST100309": "postnl",
    "3SHRST100310": "postnl",
    "JVGL0560100311": "dhl",
    "3SHRST100312": "postnl",
    "3SHRST100313": "postnl",
}
DEMO_ORDERS = Path(__file__).resolve().parents[3] / "shop" / "demo_orders.yml"

GOOD = """
shipments:
  3SHRST100482:
    carrier: postnl
    expected_window: {from: "+35m", to: "+65m"}
    events:
      - {at: "-3h", state: out_for_delivery}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioFileError) as raised:
        load_scenarios(_write(tmp_path, text))
    return str(raised.value)


def test_the_default_file_holds_exactly_the_demo_tracking_numbers_and_carriers() -> None:
    scenarios = load_scenarios()

    assert {number: s.carrier for number, s in scenarios.items()} == DEMO_NUMBERS


def test_every_demo_shop_order_points_at_a_scenario_of_the_same_carrier() -> None:
    if not DEMO_ORDERS.exists():
        pytest.skip("the demo shop's orders file is not in this tree")
    orders = yaml.safe_load(DEMO_ORDERS.read_text(encoding="utf-8"))["orders"]
    scenarios = load_scenarios()

    for order in orders:
        scenario = scenarios.get(order["tracking_number"])
        assert scenario is not None, order["tracking_number"]
        assert scenario.carrier == order["carrier"], order["tracking_number"]


def test_a_good_file_loads_with_offsets_as_timedeltas(tmp_path: Path) -> None:
    scenario = load_scenarios(_write(tmp_path, GOOD))["3SHRST100482"]

    assert scenario.expected_window is not None
    assert scenario.expected_window.start.total_seconds() == 35 * 60
    assert scenario.current.at.total_seconds() == -3 * 3600


def test_a_bad_offset_names_the_tracking_number_and_the_field(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace('"+35m"', '"soon"'))

    assert "shipments.3SHRST100482.expected_window.from" in message
    assert "soon" in message


def test_an_unknown_state_names_the_event(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("out_for_delivery", "teleported"))

    assert "shipments.3SHRST100482.events.0.state" in message


def test_a_misspelt_field_is_rejected_not_ignored(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("expected_window", "expected_windw"))

    assert "shipments.3SHRST100482.expected_windw" in message
    assert "Extra inputs are not permitted" in message


def test_an_unquoted_number_as_offset_asks_for_a_string(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace('at: "-3h"', "at: -3"))

    assert "events.0.at" in message and "quoted string" in message


def test_events_out_of_time_order_are_rejected(tmp_path: Path) -> None:
    text = GOOD + '      - {at: "-5h", state: sorted}\n'

    assert "time order" in _error(tmp_path, text)


def test_a_normal_scenario_needs_events(tmp_path: Path) -> None:
    text = "shipments:\n  3SHRST100482:\n    carrier: postnl\n"

    message = _error(tmp_path, text)
    assert "3SHRST100482" in message and "needs at least one event" in message


def test_failure_scenarios_need_no_events(tmp_path: Path) -> None:
    text = "shipments:\n  3SHRST100310:\n    carrier: postnl\n    behaviour: server_error\n"

    assert load_scenarios(_write(tmp_path, text))["3SHRST100310"].events == ()


def test_a_parcel_at_a_pickup_point_needs_the_pickup_point(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("out_for_delivery", "at_pickup_point"))

    assert "needs pickup_point" in message


def test_a_window_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace('to: "+65m"', 'to: "+5m"'))

    assert "expected_window" in message and "ends before it starts" in message


def test_a_lowercase_tracking_number_is_rejected(tmp_path: Path) -> None:
    assert "3shrst100482" in _error(tmp_path, GOOD.replace("3SHRST100482", "3shrst100482"))


def test_an_unknown_carrier_is_named(tmp_path: Path) -> None:
    assert "3SHRST100482.carrier" in _error(tmp_path, GOOD.replace("postnl", "ups"))


def test_a_file_that_is_not_yaml_is_a_scenario_file_error(tmp_path: Path) -> None:
    assert "not valid YAML" in _error(tmp_path, "shipments: [unclosed")


def test_a_missing_file_is_a_scenario_file_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match="cannot read"):
        load_scenarios(tmp_path / "nope.yml")


def test_the_simulator_command_refuses_a_bad_file_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path, GOOD.replace('"+35m"', '"soon"'))

    assert simulator_main(["--scenarios", str(bad), "--port", "0"]) == 2
    assert "3SHRST100482.expected_window.from" in capsys.readouterr().err
