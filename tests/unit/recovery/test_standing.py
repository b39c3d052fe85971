"""The engine sees the customer's history and the budgets' usage from the ledger."""

from herstel.money import Money
from policies import GestureKind, load_default
from recovery.standing import StandingReader
from shop.memory import InMemoryShop
from tests.support.gestures import a_request
from tests.unit.recovery.test_granting import LATE, a_service, laptop_order


async def _earlier_cases(store, count: int, order: str = "900001") -> None:
    for n in range(count):
        case = f"earlier-{order}-{n}"
        request = a_request(customer="cus_0001", case=case, order=order, amount="5")
        await store.ledger.reserve(request)


def _service(store, shop):
    return a_service(store, shop, standing=StandingReader(store.ledger, load_default()))


async def test_a_repeat_complainer_is_not_offered_the_unasked_voucher(sqlite_store):
    shop = InMemoryShop([laptop_order(sqlite_store.clock)])
    service = _service(sqlite_store, shop)
    diagnosis = await service.diagnose("100482", "3512JE")
    first_time = await service.propose(LATE, diagnosis, "now")
    assert [o.kind for o in first_time.offers] == [GestureKind.VOUCHER]
    await _earlier_cases(sqlite_store, 4)
    repeat = await service.propose(LATE, diagnosis, "now")
    # More than max_previous_complaints: the voucher rule no longer matches; a person decides.
    assert repeat.decision.rule_id != first_time.decision.rule_id
    assert repeat.needs_person and repeat.decision.needs_escalation


async def test_standing_counts_other_cases_and_this_order_and_spent_budget(sqlite_store):
    await _earlier_cases(sqlite_store, 2)
    await _earlier_cases(sqlite_store, 1, order="100482")
    await sqlite_store.ledger.reserve(a_request(customer="cus_0001", case="now", amount="7"))
    reader = StandingReader(sqlite_store.ledger, load_default())
    standing = await reader.read("cus_0001", "100482", "now", sqlite_store.clock.now())
    assert standing.history.complaints == 3  # this case itself is not history
    assert standing.history.given == Money.of("15")
    assert standing.given_on_order == Money.of("5")
