"""bench/common.py's helpers (no timings here: benchmarks never run in the test suite)."""
from bench.common import Figure, Sample, markdown_table, paired_ratios


def test_sample_median_and_spread():
    s = Sample.of([3.0, 1.0, 2.0, 10.0])
    assert s.median == 2.5 and s.low == 1.0 and s.high == 10.0
    assert round(s.spread_pct) == 360


def test_paired_ratios_pair_in_order_and_skip_zero():
    assert paired_ratios([2.0, 3.0, 1.0], [1.0, 0.0, 2.0]).values == (2.0, 0.5)


def test_figure_targets_in_each_direction():
    assert Figure("b", "f", ours=0.9, target=1.0, better="lower").met is True
    assert Figure("b", "f", ours=50.0, target=50.0, better="lower_strict").met is False
    assert Figure("b", "f", ratio=0.98, target=0.99, target_on="ratio", better="higher").met is False
    assert Figure("b", "f", ours=1.0).met is None
    assert Figure("b", "f", target=1.0).met is None  # nothing measured


def test_markdown_table_rows_and_round_trip():
    f = Figure("serving_overhead", "tok/s", "tok/s", ours=4.7, vanilla=4.6, ratio=1.02, target=0.99,
               target_on="ratio", better="higher", note="a|b")
    table = markdown_table([f, Figure.from_json(f.to_json())])
    lines = table.splitlines()
    assert len(lines) == 4 and lines[2] == lines[3]
    assert "ratio ≥ 0.990" in lines[2] and "| yes |" in lines[2] and "a/b" in lines[2]
