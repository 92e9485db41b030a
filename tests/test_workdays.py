from datetime import date

from pasip.workdays import add_working_days, is_working_day, working_days_between


def test_bastille_day_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 7, 14))  # Tuesday, fête nationale
    assert not is_working_day(date(2026, 7, 11))  # Saturday
    assert is_working_day(date(2026, 7, 13))


def test_two_working_days_after_friday_10_july_2026_is_wednesday_15th():
    assert add_working_days(date(2026, 7, 10), 2) == date(2026, 7, 15)
    assert working_days_between(date(2026, 7, 10), date(2026, 7, 15)) == 2
    assert working_days_between(date(2026, 7, 15), date(2026, 7, 10)) == 0


def test_easter_monday_and_ascension_are_holidays_in_2027():
    assert not is_working_day(date(2027, 3, 29))  # lundi de Pâques
    assert not is_working_day(date(2027, 5, 6))  # Ascension
