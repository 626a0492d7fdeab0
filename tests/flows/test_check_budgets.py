"""check-budgets in process, on a seeded month of daily_costs: each rule fires once per period, by email and webhook."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import psycopg
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from flows.check_budgets import check_budgets
from tests.emulators.smtp import MailServer
from tests.emulators.webhooks import WebhookReceiver
from tests.flows.conftest import ALERT_RECIPIENTS, BUDGET_TENANCY

D = Decimal
TENANCY = BUDGET_TENANCY
STRANGER = "ocid1.tenancy.oc1..aaaaaaaasomeoneelses"
RECIPIENTS = ALERT_RECIPIENTS


def spend(dsn: str, first: date, days: int, per_day: Decimal, *, account: str = TENANCY, currency: str = "EUR") -> None:
    """``per_day`` a day for ``days`` days from ``first``, split over two services (as the rollup holds it)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for offset in range(days):
            for service, share in (("COMPUTE", D("0.75")), ("OBJECTSTORE", D("0.25"))):
                conn.execute(
                    "INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,"
                    " billed_cost, effective_cost, lines) VALUES ('oci', %s, %s, 'eu-paris-1', %s, %s, %s, %s, 1)",
                    [account, service, first + timedelta(days=offset), currency, per_day * share, per_day * share],
                )


def run(day: date, **parameters: Any) -> tuple[bool, dict[str, Any], str]:
    state = check_budgets(day=day, **parameters, return_state=True)
    summary = state.result(raise_on_failure=False)
    return state.is_completed(), summary if isinstance(summary, dict) else {}, state.message or ""


def alerts(dsn: str) -> list[tuple[str, str, list[str]]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            """
            SELECT a.title, a.period_start::text, array_agg(n.channel || ':' || n.status ORDER BY n.channel)
              FROM alerts a JOIN alert_notifications n ON n.alert_id = a.id
             GROUP BY a.id ORDER BY a.id
            """
        ).fetchall()
    return [(str(title), str(period), list(statuses)) for title, period, statuses in rows]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return body.get_content()


NOVEMBER = date(2026, 11, 1)


def test_a_month_crossing_50_80_100_percent_actual_and_100_forecast_alerts_each_rule_once(
    alerting: int, migrated_dsn: str, mail_server: MailServer, webhook_receiver: WebhookReceiver
) -> None:
    # 10 days at 30: 300 spent (30 %), forecast 300 / 10 x 30 = 900 (90 %): nothing crosses.
    spend(migrated_dsn, NOVEMBER, 10, D(30))
    completed, summary, _ = run(date(2026, 11, 11))
    assert completed and summary["budgets"][0]["periods"][-1]["fired"] == []
    assert summary["budgets"][0]["periods"][-1]["forecast"] == "900.00"
    assert mail_server.messages == [] and webhook_receiver.bodies == []

    # 10 more days at 30: 600 (60 %), forecast 900: the 50 % rule fires, once, by email and by webhook.
    spend(migrated_dsn, date(2026, 11, 11), 10, D(30))
    completed, summary, _ = run(date(2026, 11, 21))
    assert completed and summary["budgets"][0]["periods"][-1]["fired"] == ["actual 50 %"]
    assert alerts(migrated_dsn) == [("Budget prod: actual 50 % crossed", "2026-11-01", ["email:sent", "webhook:sent"])]
    (message,) = mail_server.messages
    assert message["Subject"] == "[finops] Budget prod: actual 50 % crossed"
    assert sorted(address.strip() for address in message["To"].split(",")) == sorted(RECIPIENTS)
    assert "EUR 600.00" in text_of(message) and "EUR 500.00" in text_of(message)
    assert "EUR 900.00 (90.0 %)" in text_of(message), "the trend: the forecast at the period's end"
    assert 'href="http://finops.tenant.example/#/budgets"' in html_of(message)
    (body,) = webhook_receiver.bodies
    assert body["schema"] == "finops-flows.alerts/1"
    told = [(a["kind"], a["data"]["actual"], a["data"]["limit"]) for a in body["alerts"]]
    assert told == [("budget", "600.00", "500")]

    # 5 days at 60: 900 (90 %), forecast 900 / 25 x 30 = 1,080: 80 % actual and 100 % forecast, in one digest.
    spend(migrated_dsn, date(2026, 11, 21), 5, D(60))
    completed, summary, _ = run(date(2026, 11, 26))
    assert completed and summary["budgets"][0]["periods"][-1]["fired"] == ["actual 80 %", "forecast 100 %"]
    assert len(mail_server.messages) == 2 and len(webhook_receiver.bodies) == 2
    digest = mail_server.messages[1]
    assert digest["Subject"] == "[finops] 2 alerts: budget threshold crossed"
    assert "actual 80 %" in text_of(digest) and "forecast 100 %" in text_of(digest)
    assert [a["data"]["basis"] for a in webhook_receiver.bodies[1]["alerts"]] == ["ACTUAL", "FORECAST"]

    # The same day again: nothing new is raised or sent.
    completed, summary, _ = run(date(2026, 11, 26))
    assert completed and summary["budgets"][0]["periods"][-1]["fired"] == []
    assert len(mail_server.messages) == 2 and len(webhook_receiver.bodies) == 2

    # 3 days at 40: 1,020: the 100 % actual rule fires last.
    spend(migrated_dsn, date(2026, 11, 26), 3, D(40))
    completed, summary, _ = run(date(2026, 11, 29))
    assert completed and summary["budgets"][0]["periods"][-1]["fired"] == ["actual 100 %"]
    assert [title for title, _, _ in alerts(migrated_dsn)] == [
        "Budget prod: actual 50 % crossed",
        "Budget prod: actual 80 % crossed",
        "Budget prod: forecast 100 % crossed",
        "Budget prod: actual 100 % crossed",
    ]
    assert len(mail_server.messages) == 3


def test_two_runs_at_once_raise_and_send_each_alert_once(
    alerting: int, migrated_dsn: str, mail_server: MailServer, webhook_receiver: WebhookReceiver
) -> None:
    spend(migrated_dsn, NOVEMBER, 20, D(45))  # 900: 50 % and 80 % actual, forecast 1,350
    start = threading.Barrier(2)
    fired: list[str] = []

    def one_run() -> None:
        start.wait()
        _, summary, _ = run(date(2026, 11, 21))
        fired.extend(summary["budgets"][0]["periods"][-1]["fired"])

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(fired) == ["actual 50 %", "actual 80 %", "forecast 100 %"]
    assert len(alerts(migrated_dsn)) == 3
    sent_alerts = sorted(a["data"]["rule_id"] for body in webhook_receiver.bodies for a in body["alerts"])
    assert len(sent_alerts) == 3 and len(set(sent_alerts)) == 3
    told = [line for m in mail_server.messages for line in text_of(m).splitlines() if "Budget threshold" in line]
    assert len(told) == 3


def test_with_smtp_down_the_alert_stays_pending_and_goes_out_on_the_next_run(
    alerting: int, migrated_dsn: str, mail_server: MailServer, webhook_receiver: WebhookReceiver
) -> None:
    spend(migrated_dsn, NOVEMBER, 20, D(27))  # 540: the 50 % rule only, forecast 810
    port = mail_server.port
    mail_server.stop()
    completed, summary, message = run(date(2026, 11, 21))
    assert not completed and "unsent alerts stay pending for the next run" in message
    assert [o["status"] for o in summary["notifications"] if o["channel"] == "email"] == ["failed"]
    assert alerts(migrated_dsn) == [
        ("Budget prod: actual 50 % crossed", "2026-11-01", ["email:failed", "webhook:sent"])
    ]
    assert len(webhook_receiver.bodies) == 1, "the webhook does not wait for the mail server"
    with get_client(sync_client=True) as prefect:
        (artifact,) = prefect.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["check-budgets"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert "notification by email" in str(artifact.data) and "smtp: 127.0.0.1" in str(artifact.data)

    mail_server.start(port=port)
    completed, summary, _ = run(date(2026, 11, 21))
    assert completed
    assert len(mail_server.messages) == 1 and "actual 50 %" in mail_server.messages[0]["Subject"]
    assert alerts(migrated_dsn)[0][2] == ["email:sent", "webhook:sent"]
    assert len(webhook_receiver.bodies) == 1


def test_a_receiver_answering_503_is_retried_within_the_run(
    alerting: int, migrated_dsn: str, webhook_receiver: WebhookReceiver
) -> None:
    spend(migrated_dsn, NOVEMBER, 20, D(27))
    webhook_receiver.fail_next(1)
    completed, _, _ = run(date(2026, 11, 21))
    assert completed and len(webhook_receiver.bodies) == 1
    assert webhook_receiver.failures_left == 0


@pytest.mark.parametrize("notify_recovery", [False, True], ids=["recorded", "recorded-and-sent"])
def test_a_forecast_back_under_its_threshold_is_a_recovery_recorded_once(
    alerting: int, migrated_dsn: str, mail_server: MailServer, notify_recovery: bool
) -> None:
    with psycopg.connect(migrated_dsn, autocommit=True) as conn:
        conn.execute("UPDATE budget_rules SET notify_recovery = %s WHERE basis = 'FORECAST'", [notify_recovery])
    spend(migrated_dsn, NOVEMBER, 5, D(40))  # 200 in 5 days: forecast 1,200 crosses 100 %
    assert run(date(2026, 11, 6))[1]["budgets"][0]["periods"][-1]["fired"] == ["forecast 100 %"]
    spend(migrated_dsn, date(2026, 11, 6), 15, D(5))  # 275 in 20 days: forecast 412.50
    completed, summary, _ = run(date(2026, 11, 21))
    assert completed and summary["budgets"][0]["periods"][-1]["recovered"] == ["forecast 100 %"]
    assert run(date(2026, 11, 22))[1]["budgets"][0]["periods"][-1]["recovered"] == []
    with psycopg.connect(migrated_dsn) as conn:
        kinds = conn.execute(
            "SELECT kind, (SELECT count(*) FROM alert_notifications n WHERE n.alert_id = a.id)"
            " FROM alerts a ORDER BY id"
        ).fetchall()
    told = 2 if notify_recovery else 0  # email and webhook, or nothing when the rule does not ask
    assert kinds == [("budget", 2), ("budget_recovery", told)]
    subjects = [message["Subject"] for message in mail_server.messages]
    assert subjects[0] == "[finops] Budget prod: forecast 100 % crossed"
    assert subjects[1:] == (["[finops] Budget prod: forecast back under forecast 100 %"] if notify_recovery else [])


def test_other_currencies_and_accounts_the_owner_does_not_have_never_count(alerting: int, migrated_dsn: str) -> None:
    spend(migrated_dsn, NOVEMBER, 20, D(30))  # 600 EUR: 50 %
    spend(migrated_dsn, NOVEMBER, 20, D(1000), currency="USD")
    spend(migrated_dsn, NOVEMBER, 20, D(1000), account=STRANGER)
    _, summary, _ = run(date(2026, 11, 21))
    assert summary["budgets"][0]["periods"][-1]["actual"] == "600.00"
    assert summary["budgets"][0]["periods"][-1]["fired"] == ["actual 50 %"]


def test_late_data_of_the_month_just_ended_still_fires_its_rules(alerting: int, migrated_dsn: str) -> None:
    spend(migrated_dsn, NOVEMBER, 30, D(30))  # 900 for November, seen on December 2nd
    completed, summary, _ = run(date(2026, 12, 2))
    assert completed
    november, december = summary["budgets"][0]["periods"]
    assert (november["period_start"], november["fired"]) == ("2026-11-01", ["actual 50 %", "actual 80 %"])
    assert december["fired"] == [] and december["actual"] == "0"
