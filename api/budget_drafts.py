"""A budget request made into what is stored: checked field by field against the user's accounts and data,
its webhook URLs sealed (or the stored ones kept when the request leaves them out)."""

from __future__ import annotations

import msgspec
import psycopg

from api.errors import ApiError
from api.schemas.budgets import BudgetInput
from finops.config import Settings
from finops.db.account_scope import owner_accounts
from finops.db.budget_spend import scope_accounts, scope_currencies
from finops.db.budgets import Budget, BudgetDraft, BudgetScope, NewRule
from finops.db.users import User
from finops.domain.budget_validation import Problem, RuleRequest, budget_problems
from finops.notify.webhooks import webhook_label
from finops.secret_box import SecretBox


def budget_draft(
    conn: psycopg.Connection, settings: Settings, user: User, data: BudgetInput, stored: Budget | None
) -> BudgetDraft:
    webhooks = [] if isinstance(data.webhooks, msgspec.UnsetType) else data.webhooks
    rules = [RuleRequest(r.basis, r.threshold_type, r.threshold, r.notify_recovery) for r in data.rules]
    problems = budget_problems(
        data.amount,
        rules,
        data.scope.provider,
        data.scope.compartments,
        (data.scope.tag_key, data.scope.tag_value),
        webhooks,
    )
    scope = BudgetScope(
        provider=data.scope.provider,
        account_ids=tuple(dict.fromkeys(data.scope.account_ids)),
        services=tuple(dict.fromkeys(data.scope.services)),
        regions=tuple(dict.fromkeys(data.scope.regions)),
        compartments=tuple(dict.fromkeys(data.scope.compartments)),
        tag=(data.scope.tag_key, data.scope.tag_value or "") if data.scope.tag_key else None,
    )
    owned = owner_accounts(conn, user.login, user.kind)
    strangers = [account for account in scope.account_ids if account not in owned]
    if strangers:
        # The same answer whether the account is someone else's or nobody's.
        problems.append(Problem("scope.account_ids", f"not among your accounts: {', '.join(strangers)}"))
    if not problems:
        currencies = scope_currencies(conn, scope, scope_accounts(scope, owned))
        if currencies and data.currency not in currencies:
            problems.append(
                Problem("currency", f"the scoped costs are billed in {', '.join(currencies)}, not {data.currency}")
            )
    if problems:
        raise ApiError(
            422,
            "validation_error",
            "; ".join(f"{p.field}: {p.message}" for p in problems),
            [{"field": p.field, "message": p.message, "source": "body"} for p in problems],
        )
    if isinstance(data.webhooks, msgspec.UnsetType) and stored is not None:
        sealed, labels = stored.webhooks_sealed, stored.webhook_labels
    else:
        box = SecretBox.from_settings(settings) if webhooks else None
        sealed = tuple(box.seal(url) for url in webhooks) if box else ()
        labels = tuple(webhook_label(url) for url in webhooks)
    return BudgetDraft(
        name=data.name,
        scope=scope,
        period=data.period,
        amount=data.amount,
        currency=data.currency,
        emails=tuple(dict.fromkeys(data.emails)),
        webhooks_sealed=sealed,
        webhook_labels=labels,
        rules=tuple(NewRule(r.basis, r.threshold_type, r.threshold, r.notify_recovery) for r in data.rules),
    )
