"""The live check runs only when a real PagerDuty account is given (see test_live.py)."""
