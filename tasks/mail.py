"""Sends the report email: over SMTP with credentials from secret references, or into the file outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from finops.config import Settings
from finops.domain.errors import ConfigError
from finops.domain.report_email import ReportEmail
from finops.notify.outbox import write_to_outbox
from finops.notify.report_email import build_message
from finops.notify.smtp import SmtpServer, send
from tasks.retry import TRANSIENT_RETRIES
from tasks.secrets import resolve_secret


def smtp_server(settings: Settings) -> SmtpServer:
    if not settings.smtp_host:
        raise ConfigError("no mail server: set FINOPS_SMTP_HOST (or SMTP_SERVER), or FINOPS_MAIL_OUTBOX_DIR")
    username_ref, password_ref = settings.smtp_username_reference, settings.smtp_password_reference
    # Port 465 speaks TLS from the first byte; anything else upgrades with STARTTLS unless told otherwise.
    security = settings.smtp_security
    if "smtp_security" not in settings.model_fields_set and settings.smtp_port == 465:
        security = "tls"
    return SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=security,
        timeout_seconds=settings.smtp_timeout_seconds,
        ca_file=settings.smtp_ca_file,
        username=resolve_secret(username_ref, settings).get_secret_value() if username_ref else None,
        password=resolve_secret(password_ref, settings) if password_ref else None,
    )


@task(task_run_name="send {email.object_name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def send_report_email(email: ReportEmail, settings: Settings) -> str:
    message = build_message(email, datetime.now(UTC))
    if settings.mail_outbox_dir:
        path = write_to_outbox(message, settings.mail_outbox_dir)
        get_run_logger().info("report=%s written to outbox file=%s", email.object_name, path.name)
        return f"written to {path}"
    server = smtp_server(settings)
    refused = send(message, server)
    if refused:
        get_run_logger().warning("report=%s refused recipients=%s", email.object_name, ",".join(refused))
        accepted = [address for address in email.recipients if address not in refused]
        return f"sent to {', '.join(accepted)}; refused by the server: {', '.join(refused)}"
    get_run_logger().info(
        "report=%s sent via=%s:%s recipients=%d", email.object_name, server.host, server.port, len(email.recipients)
    )
    return f"sent to {', '.join(email.recipients)}"
