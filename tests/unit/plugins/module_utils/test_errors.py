"""What nothing foresaw still ends in one line: unexpected() names an exception's kind and place, never its text."""

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import unexpected


def raised(exc):
    def boom():
        raise exc
    try:
        boom()
    except Exception as caught:  # pylint: disable=broad-except
        return caught
    raise AssertionError("not raised")


def test_an_unexpected_exception_is_its_kind_and_place_never_its_text():
    message = unexpected(raised(KeyError("the answer's secret content")))
    assert message.startswith("oncall.pagerduty failed unexpectedly (KeyError in boom (test_errors.py, line ")
    assert message.endswith("); run with -vvv for the traceback and please report it")
    assert "secret" not in message and "\n" not in message


def test_a_recursion_error_says_the_answer_was_nested_too_deeply():
    message = unexpected(raised(RecursionError("maximum recursion depth exceeded")))
    assert message.startswith("oncall.pagerduty could not handle an answer nested too deeply (RecursionError in boom")


def test_an_exception_never_raised_has_no_place():
    assert unexpected(ValueError("x")) == ("oncall.pagerduty failed unexpectedly (ValueError); run with -vvv for the "
                                           "traceback and please report it")
