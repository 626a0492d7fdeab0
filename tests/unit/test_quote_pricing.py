"""Quote pricing against the real eu-west-2 catalog, every total worked out by hand.

Prices used (readpubliccatalog_eu-west-2.json): CustomCore:v6-p2 0.035/h, CustomRam 0.005/h,
ProductUsage RunInstances-0002-OD (Windows) 0.121/h, BSU:VolumeUsage:gp2 0.11 and io1 0.13 per
GiB-month, BSU:VolumeIOPS:io1 0.01 per IOPS-month, TinaOS-OOS enterprise/OOSStorage 0.025 per
GiB-month, ElasticIP:AdditionalAddress 0.005/h, NatGatewayUsage 0.05/h, Gpu:attach:nvidia-a100 2.0/h.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from finops.domain.outscale_catalog import CatalogKey, PriceList, parse_catalog
from finops.domain.quote_calculation import QuoteCalculation
from finops.domain.quote_pricing import (
    DEFAULT_COMMITMENT_DISCOUNTS,
    QuoteGroup,
    QuoteItem,
    QuoteTerms,
    VmSpec,
    VolumeSpec,
    calculate,
)
from finops.domain.quote_validation import item_problems, terms_problems

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "outscale" / "samples"
PRICES = PriceList(parse_catalog(json.loads((SAMPLES / "readpubliccatalog_eu-west-2.json").read_text())))
D = Decimal
IP = CatalogKey("TinaOS-FCU", "ElasticIP:AdditionalAddress", "AssociateAddressVPC")
NAT = CatalogKey("TinaOS-FCU", "NatGatewayUsage", "CreateNatGateway")
GPU = CatalogKey("TinaOS-FCU", "Gpu:attach:nvidia-a100", "AllocateGpu")
OOS = CatalogKey("TinaOS-OOS", "enterprise", "OOSStorage")


def terms(duration: str = "1", unit: str = "months", period: str | None = None, discount: str = "0") -> QuoteTerms:
    return QuoteTerms(D(duration), unit, period, D(discount))


def vm(
    item_id: int = 1,
    quantity: str = "1",
    *,
    group: int | None = None,
    generation: int = 6,
    performance: str = "high",
    vcores: int = 2,
    ram: str = "4",
    licences: tuple[str, ...] = (),
) -> QuoteItem:
    spec = VmSpec(generation, performance, vcores, D(ram), licences)
    return QuoteItem(item_id, group, f"vm {item_id}", D(quantity), "vm", vm=spec)


def volume(
    item_id: int = 1,
    quantity: str = "1",
    *,
    group: int | None = None,
    kind: str = "gp2",
    size: str = "100",
    iops: str = "0",
) -> QuoteItem:
    return QuoteItem(
        item_id, group, f"volume {item_id}", D(quantity), "volume", volume=VolumeSpec(kind, D(size), D(iops))
    )


def catalog(key: CatalogKey, item_id: int = 1, quantity: str = "1", *, group: int | None = None) -> QuoteItem:
    return QuoteItem(item_id, group, f"item {item_id}", D(quantity), "catalog", key=key)


def price(
    *items: QuoteItem, quote: QuoteTerms | None = None, groups: tuple[QuoteGroup, ...] = (), currency: str = "EUR"
) -> QuoteCalculation:
    return calculate(quote or terms(), groups, items, PRICES, currency)


def test_a_vm_costs_its_cores_and_its_ram_every_hour() -> None:
    calculation = price(vm(quantity="3"))
    (line,) = calculation.lines
    assert line.unit_price == D("0.09")  # 2 vCores * 0.035 + 4 GiB * 0.005
    assert (line.billing_unit, line.billed_units, line.category) == ("hour", D(730), "compute")
    assert line.list_price == line.net == D("197.1")  # 3 VMs * 0.09 * 730 h
    assert "v6 high" in line.description


def test_a_windows_licence_is_counted_per_two_vcores() -> None:
    (line,) = price(vm(vcores=4, ram="8", licences=("0002",))).lines
    assert line.unit_price == D("0.422")  # 4 * 0.035 + 8 * 0.005 = 0.18, + 2 pairs * 0.121 = 0.242
    assert line.list_price == D("308.06")  # 0.422 * 730


@pytest.mark.parametrize(
    ("period", "percent", "vm_discount", "gpu_discount", "subtotal"),
    [
        # VM: 308.06 of which compute 0.18 * 730 = 131.4; GPU 2.0 * 730 = 1460; list 1815.56 in all
        pytest.param(None, "0", "0", "0", "1815.56", id="no-commitment"),
        pytest.param("1month", "30", "39.42", "438", "1338.14", id="1month-30%"),
        pytest.param("1year", "40", "52.56", "584", "1179.00", id="1year-40%"),
        pytest.param("3years", "50", "65.7", "730", "1019.86", id="3years-50%"),
    ],
)
def test_a_commitment_discounts_compute_but_never_licences_storage_or_network(
    period: str | None, percent: str, vm_discount: str, gpu_discount: str, subtotal: str
) -> None:
    calculation = price(
        vm(1, vcores=4, ram="8", licences=("0002",)),
        catalog(GPU, 2),
        volume(3),  # 100 GiB gp2: 11.00 a month
        catalog(NAT, 4),  # 0.05 * 730 = 36.5
        quote=terms(period=period),
    )
    vm_line, gpu_line, volume_line, nat_line = calculation.lines
    assert vm_line.commitment_discount_percent == gpu_line.commitment_discount_percent == D(percent)
    assert vm_line.commitment_discount == D(vm_discount)
    assert gpu_line.commitment_discount == D(gpu_discount)
    assert (volume_line.list_price, volume_line.commitment_discount) == (D(11), 0)
    assert (nat_line.list_price, nat_line.commitment_discount) == (D("36.5"), 0)
    assert calculation.subtotal == D(subtotal)


def test_volumes_are_billed_per_gib_and_per_iops_each_month() -> None:
    gp2, io1 = price(
        volume(1, "2", size="100"), volume(2, kind="io1", size="50", iops="1000"), quote=terms("3", "months")
    ).lines
    assert (gp2.billing_unit, gp2.billed_units, gp2.category) == ("month", D(3), "storage")
    assert gp2.unit_price == D(11)  # 100 GiB * 0.11
    assert gp2.list_price == D(66)  # 2 volumes * 11 * 3 months
    assert io1.unit_price == D("16.5")  # 50 GiB * 0.13 + 1000 IOPS * 0.01
    assert io1.list_price == D("49.5")  # 16.5 * 3 months
    assert "1000 IOPS" in io1.description


def test_catalog_entries_are_billed_in_months_or_hours_as_the_catalog_says() -> None:
    calculation = price(catalog(OOS, 1, "500"), catalog(IP, 2, "2"), quote=terms("1", "years"))
    oos, ips = calculation.lines
    assert (oos.billing_unit, oos.billed_units, oos.list_price) == ("month", D(12), D(150))  # 500 * 0.025 * 12
    assert (ips.billing_unit, ips.billed_units, ips.list_price) == ("hour", D(8760), D("87.6"))  # 2 * 0.005 * 8760
    assert oos.description == "OOS - Stockage Enterprise - par GiB et par mois"
    # 237.6 a year is 19.80 a month and 0.0271232... an hour
    assert calculation.yearly_run_rate == D("237.6")
    assert calculation.monthly_run_rate == D("19.8")
    assert calculation.displayed().hourly_run_rate == D("0.0271")


def test_a_monthly_price_is_prorated_over_a_few_days() -> None:
    calculation = price(volume(size="100"), quote=terms("2", "days"))
    (line,) = calculation.lines
    assert line.billed_units == D(48) / D(730)
    assert line.list_price == D(528) / D(730)  # 11 a month * 48 h / 730 h = 0.723287..., kept unrounded
    assert calculation.displayed().total == D("0.72")


@pytest.mark.parametrize(
    ("duration", "unit", "hours", "cost"),
    [  # one VM at 0.09 an hour
        pytest.param("10", "hours", 10, "0.9", id="10-hours"),
        pytest.param("2", "days", 48, "4.32", id="2-days"),
        pytest.param("1", "weeks", 168, "15.12", id="1-week"),
        pytest.param("2", "months", 1460, "131.4", id="2-months-of-730-h"),
        pytest.param("1", "years", 8760, "788.4", id="1-year"),
    ],
)
def test_the_duration_is_counted_in_hours(duration: str, unit: str, hours: int, cost: str) -> None:
    calculation = price(vm(), quote=terms(duration, unit))
    assert calculation.hours == hours
    assert calculation.total == D(cost)


def test_the_global_discount_comes_off_the_subtotal_after_the_commitment() -> None:
    calculation = price(vm(1, "3"), volume(2), quote=terms(discount="10"))
    assert calculation.subtotal == D("208.1")  # 197.1 of VMs + 11 of gp2
    assert calculation.global_discount == D("20.81")
    assert calculation.total == D("187.29")
    # a one-month quote runs at its total per month, exactly
    assert calculation.monthly_run_rate == D("187.29")
    shown = calculation.displayed()
    assert (shown.subtotal, shown.global_discount, shown.total) == (D("208.10"), D("20.81"), D("187.29"))
    assert shown.hourly_run_rate == D("0.2566")  # 187.29 / 730 = 0.256561...
    assert shown.yearly_run_rate == D("2247.48")  # 187.29 * 12


def test_groups_come_by_position_with_empty_ones_and_the_ungrouped_items_last() -> None:
    groups = (QuoteGroup(1, "Web", 2), QuoteGroup(2, "Database", 1), QuoteGroup(3, "Empty", 3))
    calculation = price(
        catalog(NAT, 1),
        vm(2, group=1),
        volume(3, group=2),
        volume(4, group=2, kind="io1", size="50", iops="1000"),
        groups=groups,
    )
    totals = [(group.group_id, group.name, group.position, group.subtotal) for group in calculation.groups]
    assert totals == [
        (2, "Database", 1, D("27.5")),  # 11 (gp2) + 16.5 (io1)
        (1, "Web", 2, D("65.7")),  # 0.09 * 730
        (3, "Empty", 3, 0),
        (None, "", 4, D("36.5")),  # the NAT: 0.05 * 730
    ]
    assert [line.item_id for line in calculation.lines] == [3, 4, 2, 1]
    assert calculation.subtotal == D("129.7")


def test_without_ungrouped_items_there_is_no_ungrouped_group() -> None:
    calculation = price(vm(group=1), groups=(QuoteGroup(1, "Web", 1),))
    assert [group.group_id for group in calculation.groups] == [1]


def test_the_shown_subtotal_less_the_shown_discount_is_the_shown_total() -> None:
    calculation = price(catalog(IP), quote=terms("9", "hours", discount="50"))
    # 0.005 * 9 h = 0.045, discount 0.0225, total 0.0225: rounded alone the total would show 0.02
    assert (calculation.subtotal, calculation.global_discount, calculation.total) == (
        D("0.045"),
        D("0.0225"),
        D("0.0225"),
    )
    shown = calculation.displayed()
    assert (shown.subtotal, shown.global_discount, shown.total) == (D("0.05"), D("0.02"), D("0.03"))


def test_yen_are_shown_without_decimals_and_rounded_half_up() -> None:
    shown = price(vm(), quote=terms("50", "hours"), currency="JPY").displayed()
    assert str(shown.total) == "5"  # 0.09 * 50 h = 4.5
    assert str(shown.hourly_run_rate) == "0.09"  # the minor unit and two more digits
    assert (str(shown.monthly_run_rate), str(shown.yearly_run_rate)) == ("66", "788")  # 65.7 and 788.4


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        pytest.param("0.005", "EUR", "0.01", id="EUR-half-up"),
        pytest.param("2.345", "USD", "2.35", id="USD-half-up"),
        pytest.param("2.5", "JPY", "3", id="JPY-no-decimals"),
        pytest.param("1.005", "CHF", "1.01", id="unknown-currency-2-decimals"),
    ],
)
def test_money_is_shown_rounded_half_up_to_the_currency_minor_unit(amount: str, currency: str, shown: str) -> None:
    zero = D(0)
    calculation = QuoteCalculation((), (), D(amount), zero, zero, D(amount), currency, D(1), zero, zero, zero)
    assert str(calculation.displayed().total) == shown


def test_callers_can_bring_their_own_commitment_discounts() -> None:
    calculation = calculate(
        terms("1", "years", "1year"), (), (vm(1), volume(2)), PRICES, "EUR", {"storage": {"1year": D(10)}}
    )
    vm_line, volume_line = calculation.lines
    assert vm_line.commitment_discount == 0  # 788.4: compute is not in this mapping
    assert volume_line.commitment_discount == D("13.2")  # 11 * 12 months = 132, 10 %
    assert calculation.subtotal == D("907.2")  # 788.4 + 132 - 13.2


@pytest.mark.parametrize(
    "category",
    [
        pytest.param("compute", id="lower-case"),
        pytest.param("Compute", id="capitalised"),
        pytest.param("COMPUTE", id="upper-case"),
    ],
)
def test_a_discount_category_matches_whatever_its_case(category: str) -> None:
    calculation = calculate(terms("1", "years", "1year"), (), (vm(),), PRICES, "EUR", {category: {"1year": D(40)}})
    (line,) = calculation.lines
    assert line.commitment_discount_percent == 40
    assert line.commitment_discount == D("315.36")  # 0.09 * 8760 = 788.4, 40 %


@pytest.mark.parametrize(
    ("discounts", "percent", "discount", "licences_say"),
    [
        # one month of a 4 vCores, 8 GiB Windows VM: compute 0.18 * 730 = 131.4, licence 0.242 * 730 = 176.66
        pytest.param(
            DEFAULT_COMMITMENT_DISCOUNTS, "40", "52.56", "(not discounted)", id="default-licence-not-discounted"
        ),
        pytest.param({"licence": {"1year": D(20)}}, "0", "35.332", "(20 % commitment discount)", id="licence-only"),
        pytest.param(
            {"compute": {"1year": D(40)}, "Licence": {"1year": D(10)}},
            "40",
            "70.226",  # 52.56 + 17.666
            "(10 % commitment discount)",
            id="compute-and-licence",
        ),
    ],
)
def test_a_vm_licences_take_the_licence_discount_when_there_is_one(
    discounts: dict[str, dict[str, Decimal]], percent: str, discount: str, licences_say: str
) -> None:
    quote = terms("1", "months", "1year")
    calculation = calculate(quote, (), (vm(vcores=4, ram="8", licences=("0002",)),), PRICES, "EUR", discounts)
    (line,) = calculation.lines
    assert line.list_price == D("308.06")
    assert line.commitment_discount_percent == D(percent)
    assert line.commitment_discount == D(discount)
    assert line.net == line.list_price - line.commitment_discount
    assert line.description.endswith(f"licences 0002 {licences_say}")


def test_pricing_a_missing_catalog_entry_or_group_fails_loudly() -> None:
    with pytest.raises(ValueError, match="TinaOS-FCU/CustomCore:v9-p2/RunInstances-OD"):
        price(vm(generation=9))
    with pytest.raises(ValueError, match="group 7"):
        price(vm(group=7))
    with pytest.raises(ValueError, match="0 months"):
        price(vm(), quote=terms("0"))


def other_kind(kind: str) -> QuoteItem:
    return QuoteItem(1, None, "x", D(1), kind)


@pytest.mark.parametrize(
    ("item", "field", "says"),
    [
        pytest.param(vm(quantity="-1"), "quantity", "0 or more", id="negative-quantity"),
        pytest.param(vm(quantity="NaN"), "quantity", "a number", id="quantity-not-a-number"),
        pytest.param(vm(quantity="1E+12"), "quantity", "more than", id="quantity-absurd"),
        pytest.param(vm(quantity="1E-40"), "quantity", "decimals", id="quantity-too-precise"),
        pytest.param(other_kind("server"), "kind", "'server'", id="unknown-kind"),
        pytest.param(other_kind("catalog"), "key", "catalog entry", id="catalog-without-key"),
        pytest.param(
            catalog(CatalogKey("TinaOS-FCU", "Gpu:attach:nvidia-b200", "AllocateGpu")),
            "key",
            "TinaOS-FCU/Gpu:attach:nvidia-b200/AllocateGpu",
            id="catalog-key-not-in-catalog",
        ),
        pytest.param(other_kind("vm"), "vm", "needs its VM", id="vm-without-spec"),
        pytest.param(vm(generation=0), "generation", "1 or more", id="generation-0"),
        pytest.param(vm(vcores=0), "vcores", "1 vCore", id="no-vcore"),
        pytest.param(vm(ram="0"), "ram_gib", "more than 0", id="no-ram"),
        pytest.param(vm(performance="turbo"), "performance", "'turbo'", id="unknown-performance"),
        pytest.param(vm(generation=104), "generation", "CustomCore:v104-p2", id="generation-not-at-this-performance"),
        pytest.param(vm(licences=("0042",)), "licences", "0042", id="unknown-licence"),
        pytest.param(vm(licences=("0003",)), "licences", "0003 has no price", id="licence-without-price"),
        pytest.param(other_kind("volume"), "volume", "needs its volume", id="volume-without-spec"),
        pytest.param(volume(kind="sc1"), "volume_type", "'sc1'", id="unknown-volume-type"),
        pytest.param(volume(size="0"), "size_gib", "more than 0", id="empty-volume"),
        pytest.param(volume(kind="io1", iops="-5"), "iops", "negative", id="negative-iops"),
        pytest.param(volume(iops="100"), "iops", "only io1", id="iops-on-gp2"),
        pytest.param(volume(kind="io1"), "iops", "needs its provisioned IOPS", id="io1-without-iops"),
    ],
)
def test_each_item_problem_is_reported_on_its_field(item: QuoteItem, field: str, says: str) -> None:
    problems = item_problems(item, PRICES)
    assert list(problems) == [field]
    assert says in problems[field]


def test_every_problem_of_an_item_is_reported_at_once() -> None:
    problems = item_problems(vm(quantity="-1", generation=0, vcores=0, performance="fast"), PRICES)
    assert set(problems) == {"quantity", "generation", "vcores", "performance"}


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(vm(vcores=4, licences=("0001", "0002")), id="vm-with-licences"),
        pytest.param(volume(kind="io1", size="50", iops="1000"), id="io1-volume"),
        pytest.param(catalog(OOS, quantity="0"), id="catalog-item-quantity-0"),
    ],
)
def test_a_sound_item_has_no_problem(item: QuoteItem) -> None:
    assert item_problems(item, PRICES) == {}


@pytest.mark.parametrize(
    ("quote", "field"),
    [
        pytest.param(terms("0"), "duration", id="zero-duration"),
        pytest.param(terms("-2", "days"), "duration", id="negative-duration"),
        pytest.param(terms(unit="fortnights"), "duration_unit", id="unknown-unit"),
        pytest.param(terms(period="2years"), "commitment_period", id="unknown-period"),
        pytest.param(terms(discount="-1"), "global_discount_percent", id="negative-discount"),
        pytest.param(terms(discount="100.01"), "global_discount_percent", id="discount-over-100"),
    ],
)
def test_each_terms_problem_is_reported_on_its_field(quote: QuoteTerms, field: str) -> None:
    assert list(terms_problems(quote)) == [field]


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param(terms("1.5", "weeks", "3years", "100"), id="full-discount"),
        pytest.param(terms("1", "hours", None, "0"), id="no-commitment"),
    ],
)
def test_sound_terms_have_no_problem(quote: QuoteTerms) -> None:
    assert terms_problems(quote) == {}
