"""``python -m bench.build --baseline REF``: the command line and the comparison, on made-up measurements.

Nothing here builds a bundle: the builds themselves are what the benchmark times, and take half a minute each.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.build import DEFAULT_ROUNDS, DRIVE_DISTANCES, compare, parse_args, summarise


def fake_run(build_s: float, loads: list[float], *, bundle_mib: float = 30.0, **stages: float) -> dict[str, Any]:
    return {
        "build_s": build_s,
        "build_peak_rss_mib": 700.0,
        "stages_s": {"contracting": 2.0, "matrices": 4.0, DRIVE_DISTANCES: 3.0, **stages},
        "bundle_mib": bundle_mib,
        "bundle_name": "hanoi-0123456789abcdef",
        "load_s": loads,
    }


def test_baseline_is_off_by_default() -> None:
    args = parse_args([])
    assert args.baseline is None
    assert args.repeat == DEFAULT_ROUNDS
    assert args.sizes == "1,5,20"


def test_baseline_and_repeat_are_parsed() -> None:
    args = parse_args(["--baseline", "3385575", "--repeat", "5", "--warmup", "0", "--json"])
    assert (args.baseline, args.repeat, args.warmup, args.json) == ("3385575", 5, 0, True)


@pytest.mark.parametrize("option", [["--repeat", "0"], ["--warmup", "-1"], ["--repeat", "two"]])
def test_bad_counts_are_refused(option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--baseline", "HEAD", *option])
    assert exit_info.value.code == 2
    assert option[0] in capsys.readouterr().err


def test_summary_takes_medians_and_pools_the_loads() -> None:
    summary = summarise([fake_run(10.0, [0.1, 0.3, 0.2]), fake_run(30.0, [0.5, 0.4, 0.6]), fake_run(20.0, [0.9])])
    assert summary["rounds"] == 3
    assert summary["build_s_median"] == 20.0
    assert summary["build_s_all"] == [10.0, 30.0, 20.0]
    assert summary["load_s_median"] == 0.4  # median of all seven loads
    assert summary["stages_s_median"]["matrices"] == 4.0


def test_ratios_within_tolerance() -> None:
    current = [fake_run(21.0, [0.105, 0.11]), fake_run(22.0, [0.1, 0.1])]
    baseline = [fake_run(20.0, [0.1, 0.1], bundle_mib=25.0), fake_run(20.0, [0.1, 0.1], bundle_mib=25.0)]
    result = compare(current, baseline)
    assert result["build_time_ratio"] == pytest.approx(21.5 / 20.0, abs=1e-3)
    assert result["load_time_ratio"] == pytest.approx(0.1025 / 0.1, abs=1e-3)
    assert result["bundle_size_ratio"] == pytest.approx(1.2)
    assert result["build_within_tolerance"] is True
    assert result["load_within_tolerance"] is True
    assert result["build_time_ratio_by_round"] == [1.05, 1.1]
    assert result["build_time_ratio_of_minimums"] == 1.05
    assert result["load_time_ratio_of_minimums"] == 1.0
    assert result["grown_stages"] == []
    assert result["stages"]["matrices"] == {"current_s": 4.0, "baseline_s": 4.0, "ratio": 1.0}


def test_growth_beyond_tolerance_names_the_stages() -> None:
    current = [fake_run(30.0, [0.2], matrices=9.0, contracting=2.1, reading=0.3)]
    baseline = [fake_run(20.0, [0.1], reading=0.1)]
    result = compare(current, baseline)
    assert result["build_time_ratio"] == 1.5
    assert result["load_time_ratio"] == 2.0
    assert result["build_within_tolerance"] is False
    assert result["load_within_tolerance"] is False
    # matrices grew 5 s; contracting only 5 % (within tolerance); reading tripled but by 0.2 s, too little to tell.
    assert result["grown_stages"] == ["matrices"]


def test_a_stage_only_one_side_has_has_no_ratio() -> None:
    result = compare([fake_run(10.0, [0.1], wards=1.0)], [fake_run(10.0, [0.1])])
    assert result["stages"]["wards"] == {"current_s": 1.0, "baseline_s": None, "ratio": None}
    assert result["build_time_ratio"] == 1.0
