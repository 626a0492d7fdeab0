import pytest

from finops.domain.parameters import ParameterError, parse_parameters


def test_values_are_json_when_they_parse_and_text_otherwise() -> None:
    parsed = parse_parameters(
        ["days=3", "dry_run=true", "name=weekly report", "ids=[1, 2]", "ratio=0.5", "empty=", "eq=a=b"]
    )
    assert parsed == {
        "days": 3,
        "dry_run": True,
        "name": "weekly report",
        "ids": [1, 2],
        "ratio": 0.5,
        "empty": "",
        "eq": "a=b",
    }


def test_the_last_value_of_a_repeated_name_wins() -> None:
    assert parse_parameters(["days=1", "days=2"]) == {"days": 2}


@pytest.mark.parametrize("text", ["days", "=3", "two words=1", "1st=1"])
def test_malformed_parameters_are_refused_with_the_offending_text(text: str) -> None:
    with pytest.raises(ParameterError, match="name=value"):
        parse_parameters([text])
