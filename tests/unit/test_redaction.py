import pytest

from finops.domain.redaction import mask_url_password, redact


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("postgresql://app:s3cr3t@db:5432/finops", "postgresql://app:***@db:5432/finops", id="user-info"),
        pytest.param("postgresql://app@db/finops", "postgresql://app@db/finops", id="no-password"),
        pytest.param(
            "postgresql://postgres:@/finops?host=/tmp/pg", "postgresql://postgres:@/finops?host=/tmp/pg", id="empty"
        ),
        pytest.param(
            "postgresql:///finops?host=/tmp&password=hunter2", "postgresql:///finops?host=/tmp&password=***", id="query"
        ),
        pytest.param("postgresql://a:p%40ss@h/db", "postgresql://a:***@h/db", id="encoded-at-sign"),
    ],
)
def test_mask_url_password_hides_only_the_password(url: str, expected: str) -> None:
    assert mask_url_password(url) == expected


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param("connecting to postgresql://u:topsecret@host/db failed", "topsecret", id="url"),
        pytest.param("smtp login password=topsecret refused", "topsecret", id="key-value"),
        pytest.param("{'secret_key': 'topsecret'}", "topsecret", id="quoted-dict"),
        pytest.param("GET /api/events/oci?token=topsecret 401", "topsecret", id="token-in-query"),
    ],
)
def test_redact_removes_secrets_and_keeps_the_story(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert "***" in redacted
    assert redacted.split()[0] == text.split()[0]


def test_a_key_value_dsn_has_its_password_masked() -> None:
    assert mask_url_password("host=db user=app password=hunter2 dbname=finops") == (
        "host=db user=app password=*** dbname=finops"
    )
