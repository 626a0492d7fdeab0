"""The SQL that turns a staged piece of a billing report (text columns c0, c1, ...) into ledger values.

A staging worker runs it once per piece, into a typed piece table; the loading transaction then
copies typed rows into the ledger, working out the few columns a piece leaves out (`from_typed`).
Columns the report does not have are either constants, added by the loader's insert, or left to
the ledger's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from finops.domain.cost_columns import LEDGER_TYPES, ColumnPlan

TRUE_WORDS = ("true", "t", "y", "yes", "1")
FALSE_WORDS = ("false", "f", "n", "no", "0", "")  # a correction flag written as an empty string is no correction
_DERIVED = ("is_correction", "charge_class")  # worked out after the columns the report has


@dataclass(frozen=True)
class LedgerValues:
    """The ledger columns of one report layout: those computed from the file, and the constants."""

    computed: tuple[tuple[str, sql.Composable], ...]
    constants: tuple[tuple[str, sql.Composable], ...]
    # Computed columns a typed piece does not hold, and how the ledger works them out from the
    # piece's columns: OCI's myCost is both billed and effective cost, and a charge class follows
    # from is_correction. A typed piece then casts or tests each once per line.
    from_typed: tuple[tuple[str, sql.Composable], ...] = ()

    def piece_columns(self) -> tuple[tuple[str, sql.Composable], ...]:
        """The computed columns a typed piece holds, with their expressions over the text columns."""
        derived = dict(self.from_typed)
        return tuple((name, expression) for name, expression in self.computed if name not in derived)

    def from_piece(self) -> tuple[sql.Composable, ...]:
        """Each computed column's value, in order, read from a typed piece."""
        derived = dict(self.from_typed)
        return tuple(derived.get(name, sql.Identifier(name)) for name, _ in self.computed)


def cell(plan: ColumnPlan, index: int) -> sql.Composable:
    if plan.kind == "oci-focus":
        # FOCUS writes an absent value as the word null (its own examples do).
        return sql.SQL("nullif({}, 'null')").format(sql.Identifier(f"c{index}"))
    return sql.Identifier(f"c{index}")


def ledger_values(plan: ColumnPlan) -> LedgerValues:
    computed: list[tuple[str, sql.Composable]] = []
    constants: list[tuple[str, sql.Composable]] = []
    from_typed: list[tuple[str, sql.Composable]] = []
    for column in LEDGER_TYPES:
        if column in _DERIVED:
            continue
        index = plan.source_of(column)
        if index is not None:
            expression = _typed(plan, column, index)
            earlier = next((name for name, value in computed if value == expression), None)
            if earlier is not None:
                from_typed.append((column, sql.Identifier(earlier)))
            computed.append((column, expression))
        elif column in ("billed_cost", "effective_cost"):
            constants.append((column, sql.Literal(0)))  # a usage report has no cost column: its lines cost nothing
        elif (constant := dict(plan.constants).get(column)) is not None:
            constants.append((column, sql.Literal(constant)))
    correction = _is_correction(plan)
    if correction is not None:
        computed.append(("is_correction", correction))
    charge_class = plan.source_of("charge_class")
    if charge_class is not None:
        computed.append(("charge_class", cell(plan, charge_class)))
    elif correction is not None:
        computed.append(("charge_class", sql.SQL("CASE WHEN {} THEN 'Correction' END").format(correction)))
        from_typed.append(("charge_class", sql.SQL("CASE WHEN is_correction THEN 'Correction' END")))
    tags = _json_object(plan, plan.tag_columns)
    if plan.tags_json is not None:
        folded = sql.SQL("coalesce(CASE WHEN {c} NOT IN ('null', '') THEN {c}::jsonb END, '{{}}'::jsonb)").format(
            c=sql.Identifier(f"c{plan.tags_json}")
        )
        tags = folded if tags is None else sql.SQL("{} || {}").format(tags, folded)
    if tags is not None:
        computed.append(("tags", tags))
    extras = _json_object(plan, plan.extra_columns)
    if extras is not None:
        computed.append(("x", extras))
    return LedgerValues(tuple(computed), tuple(constants), tuple(from_typed))


def _typed(plan: ColumnPlan, column: str, index: int) -> sql.Composable:
    value = cell(plan, index)
    kind = LEDGER_TYPES[column]
    if kind == "numeric":
        # PostgreSQL reads NaN and Infinity as numbers; a bill has neither. Every spelling of them holds
        # an n, so that cheap test sends them to a cast that fails, and the piece to check_values.
        guarded = sql.SQL("CASE WHEN strpos({c}, 'n') + strpos({c}, 'N') > 0 THEN {bad} ELSE {c}::numeric END").format(
            c=value, bad=_refused(value, "numeric")
        )
        if column in ("billed_cost", "effective_cost"):
            return sql.SQL("coalesce({}, 0)").format(guarded)
        return guarded
    if kind == "timestamptz":
        # Nor words such as 'yesterday' or 'epoch', which PostgreSQL reads as timestamps: a report's start with a digit.
        test = sql.SQL("ascii({c}) NOT BETWEEN 48 AND 57").format(c=value)
        if column == "charge_period_start":
            test = sql.SQL("{c} IS NULL OR {test}").format(c=value, test=test)
        return sql.SQL("CASE WHEN {test} THEN {bad} ELSE {c}::timestamptz END").format(
            test=test, c=value, bad=_refused(value, "timestamptz")
        )
    if column == "billing_currency":
        # ISO 4217 codes are ASCII letters: the C collation upper-cases those and keeps anything else as
        # written, the same on every server whatever its locale.
        # A currency written "" is none, as an empty field is (COPY reads the quoted one as '').
        return sql.SQL("nullif(upper({} COLLATE \"C\"), '')").format(value)
    return value


def _refused(value: sql.Composable, kind: str) -> sql.Composable:
    """A cast that always fails, at run time only (a constant would fail as the statement is planned)."""
    return sql.SQL("('refused: ' || coalesce({}, 'empty'))::{}").format(value, sql.SQL(kind))


def _is_correction(plan: ColumnPlan) -> sql.Composable | None:
    index = plan.source_of("is_correction")
    if index is not None:
        # The words are ASCII: the C collation's lower() skips the locale's wide-character path, same answer.
        # Any other word is refused, as a number or a timestamp that cannot be read is: guessing false
        # would count a correction twice.
        value = cell(plan, index)
        # Nearly every line is no correction: its words are tested first.
        words = sql.SQL(" ").join(
            [sql.SQL("WHEN {} THEN false").format(sql.Literal(word)) for word in FALSE_WORDS]
            + [sql.SQL("WHEN {} THEN true").format(sql.Literal(word)) for word in TRUE_WORDS]
        )
        return sql.SQL(
            'CASE lower({c} COLLATE "C") {words} ELSE CASE WHEN {c} IS NULL THEN false ELSE {bad} END END'
        ).format(c=value, words=words, bad=_refused(value, "boolean"))
    charge_class = plan.source_of("charge_class")
    if charge_class is not None:
        # FOCUS marks a correction with its ChargeClass instead.
        return sql.SQL("coalesce({} = 'Correction', false)").format(cell(plan, charge_class))
    return None


def _json_object(plan: ColumnPlan, pairs: tuple[tuple[str, int], ...]) -> sql.Composable | None:
    if not pairs:
        return None
    keys = [key for key, _ in pairs]
    if len(set(keys)) == len(keys):
        # JSONB stores keys shortest first, then bytewise: given in that order, its sort has nothing to do.
        pairs = tuple(sorted(pairs, key=lambda pair: (len(pair[0].encode()), pair[0].encode())))
    # One array of keys and values, the pairs without a value left out of it: jsonb_object then builds
    # the object once, where jsonb_strip_nulls would build it a second time (a quarter of the JSONB).
    return sql.SQL("jsonb_object(array_remove(ARRAY[{}]::text[], NULL))").format(
        sql.SQL(", ").join(
            sql.SQL("CASE WHEN {value} IS NOT NULL THEN {key} END, {value}").format(
                value=cell(plan, index), key=sql.Literal(key)
            )
            for key, index in pairs
        )
    )
