"""Run pytest and treat "no tests collected" (exit code 5) as a failure, as CI must."""

import sys

import pytest

NO_TESTS_COLLECTED = 5

if __name__ == "__main__":
    code = int(pytest.main(sys.argv[1:]))
    if code == NO_TESTS_COLLECTED:
        sys.stderr.write("pytest collected no tests: that is a failure\n")
        code = 1
    sys.exit(code)
