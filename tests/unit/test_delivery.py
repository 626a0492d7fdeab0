import pytest

from finops.domain.delivery import DeliveryRule, SourceLocation, content_type_for_name, report_series
from finops.domain.errors import ConfigError


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WeeklyCostsScheduledReport_20250620_0.csv.gz", "application/gzip"),
        ("reports/cost-csv/0001.csv", "text/csv"),
        ("Monthly.PDF", "application/pdf"),
        ("no-extension", "application/octet-stream"),
    ],
)
def test_the_content_type_follows_the_name(name: str, expected: str) -> None:
    assert content_type_for_name(name) == expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("oci://tenantns/cost-reports", SourceLocation("oci", "tenantns", "cost-reports", "")),
        (
            "oci://bling/ocid1.tenancy.oc1..aaaa/FOCUS Reports/",
            SourceLocation("oci", "bling", "ocid1.tenancy.oc1..aaaa", "FOCUS Reports/"),
        ),
        ("file:///srv/reports/", SourceLocation("file", "local", "/srv/reports", "")),
    ],
)
def test_sources_parse(uri: str, expected: SourceLocation) -> None:
    assert SourceLocation.parse(uri) == expected


@pytest.mark.parametrize("uri", ["s3://bucket", "oci://only-namespace", "file://relative/dir", "reports"])
def test_other_sources_are_refused(uri: str) -> None:
    with pytest.raises(ConfigError):
        SourceLocation.parse(uri)


def rule(**overrides: object) -> DeliveryRule:
    values: dict[str, object] = {
        "name": "weekly",
        "source": SourceLocation.parse("oci://ns/bucket/FOCUS Reports/"),
        "recipients": ("B@x.example", "a@x.example", "b@x.example"),
        "sender": "r@x.example",
    }
    values.update(overrides)
    return DeliveryRule(**values)  # type: ignore[arg-type]


def test_a_rule_matches_its_bucket_prefix_and_pattern_only() -> None:
    weekly = rule()
    assert weekly.matches("ns", "bucket", "FOCUS Reports/2025/06/20/part 1.csv.gz")
    assert not weekly.matches("ns", "bucket", "FOCUS Reports/2025/06/20/part 1.csv")
    assert not weekly.matches("ns", "other", "FOCUS Reports/2025/06/20/part 1.csv.gz")
    assert not weekly.matches("ns", "bucket", "reports/cost-csv/1.csv.gz")


def test_recipients_are_one_list_whatever_their_order_and_case() -> None:
    assert rule().recipient_list == ("a@x.example", "b@x.example")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipients": ()}, "no recipients"),
        ({"recipients": ("not-an-address",)}, "not an email address"),
        ({"subject_template": "Report $unknown"}, "subject template may use"),
    ],
)
def test_a_bad_rule_is_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        rule(**overrides)


def test_reports_of_one_schedule_are_one_series() -> None:
    assert report_series("Weekly_20250620_0.csv.gz") == report_series("Weekly_20250627_0.csv.gz")
    assert report_series("Weekly_20250620_0.csv.gz") != report_series("FOCUS Reports/2025/06/20/x_1.csv.gz")
