from scanner.net.outcome import answered, no_record
from scanner.net.resolver import DnsOutcome


def test_outcome_text_is_read_as_the_enum_says() -> None:
    for outcome in DnsOutcome:
        assert answered(str(outcome)) is outcome.conclusive
        assert answered(f"{outcome}: 2.0 s") is outcome.conclusive
    assert no_record("nxdomain") and no_record("nodata")
    assert not no_record("ok") and not no_record("timeout: no answer")
    assert not answered("") and not answered("okay")
