"""`python3 run.py test`: the tests needing a missing Debian program are left out, and a `-m`
of the user's still applies."""

import pytest

import run


def test_the_tests_of_a_missing_program_are_left_out():
    assert run.markers_deselected(["tests/people"], ["browser", "poppler"]) == [
        "-m",
        "not browser and not poppler",
        "tests/people",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "not slow", "-q", "tests/security"],
        ["-q", "-mnot slow", "tests/security"],
        ["-m", "worker", "-q", "-m", "not slow", "tests/security"],  # pytest reads the last
    ],
)
def test_a_marker_expression_of_the_user_is_combined_with_it(args):
    assert run.markers_deselected(args, ["browser"]) == [
        "-m",
        "(not slow) and not browser",
        "-q",
        "tests/security",
    ]


def test_what_follows_a_double_dash_is_left_alone():
    assert run.markers_deselected(["-x", "--", "-m"], ["browser"]) == [
        "-m",
        "not browser",
        "-x",
        "--",
        "-m",
    ]
