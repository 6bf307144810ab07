"""Every limit through the entry point: the gateway's spend limit, per-model weeks and extra
usage from the client's usage cache, and payloads whose format drifted.

Fixtures in tests/data/client are the real client 2.1.328's (shared/payloads/client-2.1.328).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "client"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SPEND_NOW = 1796048740.0  # the gateway captures' moment
CACHE = json.loads((DATA / "config-q1-claude-json-excerpt-after-usage.json").read_text())
CACHE_NOW = CACHE["cachedUsageUtilization"]["fetchedAtMs"] / 1000 + 600  # read 10 min later


def fixture(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / f"{name}.json").read_text())
    return loaded


def line(doc: dict[str, object], at: float, **env: str) -> str:
    result = run_cli(doc, env={"STATUSLINE_NOW": str(at), "NO_COLOR": "1", "COLUMNS": "200",
                               **env})
    assert result.returncode == 0 and not result.stderr
    return ANSI.sub("", result.stdout.strip())


def inspect_json(at: float) -> dict[str, object]:
    result = run_cli(None, "inspect", "--json", env={"STATUSLINE_NOW": str(at)})
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


# ---------------------------------------------------------------------------------------
# Gateway spend limit


def test_spend_limit_shows_the_percentage_then_the_money() -> None:
    """First run: no dollars yet (spend 62%); the next run brings $310/$500 mo."""
    first = line(fixture("statusline-q3-statusline-gateway-spend-limit-first-run"), SPEND_NOW)
    assert "spend 62%" in first, first
    later = line(fixture("statusline-q3-statusline-gateway-spend-limit"), SPEND_NOW + 30)
    assert "$310/$500 mo" in later, later
    data = inspect_json(SPEND_NOW + 40)
    spend = data["windows"]["spend_limit"]  # type: ignore[index]
    assert spend["used_percentage"] == 62 and spend["used_usd"] == 310
    assert spend["limit_usd"] == 500 and spend["period"] == "monthly"


def test_spend_limit_over_100_is_a_reading_not_an_epoch() -> None:
    """107 % after a 429 is valid for a spend limit: shown over the limit, never dropped."""
    shown = line(fixture("statusline-q3-statusline-gateway-spend-limit-over-100"), SPEND_NOW)
    assert "$535/$500 mo over limit" in shown, shown
    data = inspect_json(SPEND_NOW + 5)
    spend = data["windows"]["spend_limit"]  # type: ignore[index]
    assert spend["used_percentage"] == 107 and spend["limit_before_reset"] is True


def test_spend_dollars_follow_the_fresher_percentage() -> None:
    """The real client sent 107 % beside a used_usd of 310 (the dollars are fetched at most
    every 5 minutes): the line shows the limit times the percentage."""
    doc = fixture("statusline-q3-statusline-gateway-spend-limit")
    doc["rate_limits"]["spend_limit"]["used_percentage"] = 107  # type: ignore[index]
    shown = line(doc, SPEND_NOW)
    assert "$535/$500 mo over limit" in shown, shown


def test_spend_limit_forecast_names_the_limit_time_or_the_period_end() -> None:
    """A pace that fills the limit before the period ends says when; a slow one says the
    period ends first (inspect), and the line marks it with ✓."""
    doc = fixture("statusline-q3-statusline-gateway-spend-limit")
    limits = doc["rate_limits"]["spend_limit"]  # type: ignore[index]
    for hour, pct in enumerate((62, 70, 80)):  # +9 %/h: the limit in ~2h, long before reset
        limits["used_percentage"], limits["used_usd"] = pct, pct * 5
        shown = line(doc, SPEND_NOW + hour * 3600)
    assert "$400/$500 mo" in shown and "→ limit" in shown and "/h" in shown, shown
    text = run_cli(None, "inspect", env={"STATUSLINE_NOW": str(SPEND_NOW + 2 * 3600 + 5)}).stdout
    assert "Spend limit (gateway): 80.0% ($400 of $500 mo)" in text, text
    assert "before the period ends" in text


def test_spend_limit_slow_pace_ends_with_the_period(isolated_env: Path) -> None:
    doc = fixture("statusline-q3-statusline-gateway-spend-limit")
    limits = doc["rate_limits"]["spend_limit"]  # type: ignore[index]
    for hour, pct in enumerate((10.0, 10.1, 10.2)):
        limits["used_percentage"], limits["used_usd"] = pct, pct * 5
        shown = line(doc, SPEND_NOW + hour * 3600)
    assert "✓ resets" in shown, shown
    text = run_cli(None, "inspect", env={"STATUSLINE_NOW": str(SPEND_NOW + 2 * 3600 + 5)}).stdout
    assert "the period ends first" in text, text


# ---------------------------------------------------------------------------------------
# The client's usage cache


def write_config(home: Path, config: dict[str, object]) -> None:
    (home / ".claude.json").write_text(json.dumps(config))


def payload_with_limits(at: float) -> dict[str, object]:
    return {
        "session_id": "ca5e0000-0000-4000-8000-000000000001",
        "model": {"display_name": "Opus 4.7"},
        "rate_limits": {"five_hour": {"used_percentage": 37, "resets_at": int(at) + 3000},
                        "seven_day": {"used_percentage": 62, "resets_at": int(at) + 200000}},
    }


def test_usage_cache_gives_per_model_weeks_and_extra_usage(isolated_env: Path) -> None:
    write_config(isolated_env / "home", CACHE)
    shown = line(payload_with_limits(CACHE_NOW), CACHE_NOW)
    assert "7d Opus" not in shown and "7d Sonnet" not in shown  # 12 % and 48 %: not high
    data = inspect_json(CACHE_NOW + 5)
    weeks = data["model_weeks"]
    assert isinstance(weeks, dict)
    assert {n: (w["label"], w["used_percentage"], w["source"]) for n, w in weeks.items()} == {
        "seven_day_opus": ("Opus", 12, "usage cache"),
        "seven_day_sonnet": ("Sonnet", 48, "usage cache"),
    }
    assert 600 <= weeks["seven_day_opus"]["age_s"] <= 610
    extra = data["extra_usage"]
    assert isinstance(extra, dict)
    assert (extra["enabled"], extra["used"], extra["limit"]) == (True, 12.34, 50.0)
    # stdin's windows stay stdin's
    assert data["windows"]["five_hour"]["used_percentage"] == 37  # type: ignore[index]
    text = run_cli(None, "inspect", env={"STATUSLINE_NOW": str(CACHE_NOW + 5)}).stdout
    assert "7d Opus: 12% used" in text and "7d Sonnet: 48% used" in text, text
    assert "Extra usage: on, $12.34 of $50 this month" in text, text


def test_a_high_model_week_shows_on_the_line(isolated_env: Path) -> None:
    config = json.loads(json.dumps(CACHE))
    config["cachedUsageUtilization"]["utilization"]["seven_day_opus"]["utilization"] = 83
    write_config(isolated_env / "home", config)
    shown = line(payload_with_limits(CACHE_NOW), CACHE_NOW)
    assert "7d Opus 83%" in shown, shown


def test_usage_cache_of_another_account_is_ignored(isolated_env: Path) -> None:
    config = json.loads(json.dumps(CACHE))
    config["cachedUsageUtilization"]["accountUuid"] = "00000000-0000-4000-8000-00000000a002"
    config["cachedUsageUtilization"]["utilization"]["seven_day_opus"]["utilization"] = 83
    write_config(isolated_env / "home", config)
    shown = line(payload_with_limits(CACHE_NOW), CACHE_NOW)
    assert "Opus" not in shown.replace("Opus 4.7", "")
    data = inspect_json(CACHE_NOW + 5)
    assert data["model_weeks"] == {} and data["extra_usage"] is None


def test_usage_cache_over_an_hour_old_is_ignored(isolated_env: Path) -> None:
    config = json.loads(json.dumps(CACHE))
    config["cachedUsageUtilization"]["utilization"]["seven_day_opus"]["utilization"] = 83
    write_config(isolated_env / "home", config)
    late = CACHE_NOW - 600 + 3601
    shown = line(payload_with_limits(late), late)
    assert "7d Opus" not in shown
    data = inspect_json(late + 5)
    assert data["model_weeks"] == {} and data["extra_usage"] is None


# ---------------------------------------------------------------------------------------
# Payloads that drift


NOW = 1796048300.0


def drifted(resets_at: object, pct: object) -> dict[str, object]:
    return {"session_id": "d21f0000-0000-4000-8000-000000000001",
            "rate_limits": {"five_hour": {"used_percentage": pct, "resets_at": resets_at}}}


def test_drifted_forms_are_accepted() -> None:
    """resets_at in milliseconds or ISO 8601, a percentage as a numeric string."""
    reset = int(NOW) + 3600
    for resets_at, pct in ((reset * 1000, 41), ("2026-11-30T15:18:20Z", 42),
                           ("2026-11-30T15:18:20.000000+00:00", "43"), (str(reset), " 44.0 ")):
        shown = line(drifted(resets_at, pct), NOW)
        assert "5h 4" in shown, (resets_at, pct, shown)
        data = inspect_json(NOW + 1)
        assert data["windows"]["five_hour"]["resets_at"] == reset  # type: ignore[index]


def test_a_rejected_reading_is_reported_by_doctor_and_logged(isolated_env: Path) -> None:
    line(drifted(int(NOW) + 3600, 10), NOW)  # creates the store (and its directory)
    line(drifted("soon", 40), NOW + 5, STATUSLINE_LOG="debug")
    result = run_cli(None, "doctor", env={"STATUSLINE_NOW": str(NOW + 1)})
    assert "rate limits seen but rejected: five_hour: resets_at 'soon' is not understood" \
        in result.stdout, result.stdout
    log = (isolated_env / "state" / "statusline.log").read_text()
    assert "DEBUG" in log and "rate limits rejected: five_hour: resets_at 'soon'" in log
