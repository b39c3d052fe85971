"""The engine sees the customer's earlier complaints (cases), gestures and the budgets' usage."""

from datetime import timedelta

from herstel.money import Money
from journeys.cases import SqlCaseStore
from policies import ComplaintType, GestureKind, load_default
from recovery.cases import Failure, Where
from recovery.standing import StandingReader
from shop.memory import InMemoryShop
from tests.support.gestures import a_request
from tests.unit.recovery.test_granting import LATE, a_service, laptop_order

WEB = Where("conv-1", "webchat", "en")


async def _earlier_cases(store, count: int, order: str = "900001") -> None:
    for n in range(count):
        case = f"earlier-{order}-{n}"
        request = a_request(customer="cus_0001", case=case, order=order, amount="5")
        await store.ledger.reserve(request)


async def _earlier_complaints(store, count: int, days_ago: float = 1) -> None:
    """Cases settled with words only: complaints all the same, and nothing in the ledger."""
    cases, at = SqlCaseStore(store.engine), store.clock.now() - timedelta(days=days_ago)
    for n in range(count):
        failure = Failure(
            f"9000{n}:late_delivery", f"9000{n}", "cus_0001", ComplaintType.LATE_DELIVERY
        )
        await cases.open(failure, WEB, at)


async def test_a_repeat_complainer_is_not_offered_the_unasked_voucher(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    diagnosis = await service.diagnose("100482", "3512JE")
    first_time = await service.propose(LATE, diagnosis, "now")
    assert [o.kind for o in first_time.offers] == [GestureKind.VOUCHER]
    await _earlier_complaints(sqlite_store, 4)
    repeat = await service.propose(LATE, diagnosis, "now")
    # More than max_previous_complaints: the voucher rule no longer matches; a person decides.
    assert repeat.decision.rule_id != first_time.decision.rule_id
    assert repeat.to_person and repeat.decision.needs_escalation


async def test_complaints_older_than_the_mandates_history_do_not_count(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = a_service(sqlite_store, shop)
    await _earlier_complaints(sqlite_store, 4, days_ago=31)
    diagnosis = await service.diagnose("100482", "3512JE")
    assert (await service.propose(LATE, diagnosis, "now")).decision.rule_id == "late-slot-missed"


async def test_standing_counts_other_cases_and_this_order_and_spent_budget(sqlite_store):
    await _earlier_cases(sqlite_store, 2)
    await _earlier_cases(sqlite_store, 1, order="100482")
    await sqlite_store.ledger.reserve(a_request(customer="cus_0001", case="now", amount="7"))
    reader = StandingReader(sqlite_store.ledger, load_default())
    standing = await reader.read("cus_0001", "100482", "now", sqlite_store.clock.now())
    assert standing.history.complaints == 3  # this case itself is not history
    assert standing.history.given == Money.of("15")
    assert standing.given_on_order == Money.of("5")
