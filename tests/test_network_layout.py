"""Where a network diagram's neurons go: centred columns that fill the box, room kept for titles."""

import pytest

from nnanim.scenes.network_layout import place

BOX = (-6.4, -3.0, 6.4, 3.0)


def extent(column):
    return column.ys[0] + column.size / 2, column.ys[-1] - column.size / 2


def test_columns_are_centred_and_the_tallest_fills_the_height():
    p = place([3, 2, 4, 4, 2], BOX, most=5.0)
    for column in p.columns:
        top, bottom = extent(column)
        assert (top + bottom) / 2 == pytest.approx(0.0), "every column is centred: a diamond, not a T"
    assert extent(p.columns[2]) == pytest.approx((3.0, -3.0))
    assert len({round(c.ys[0] - c.ys[1], 9) for c in p.columns if len(c.ys) > 1}) == 1, "one pitch"


def test_the_network_spans_the_box_and_edges_run_the_same_length():
    p = place([2, 8, 8, 1], BOX, left=0.5, max_span=10.0)
    assert p.left == pytest.approx(BOX[0] + 0.5) and p.right == pytest.approx(BOX[2])
    runs = [b.x - b.size / 2 - a.out for a, b in zip(p.columns, p.columns[1:])]
    assert runs == pytest.approx([p.span] * 3)


def test_a_large_last_tile_and_tags_fit_in_the_box():
    p = place([2, 8, 8, 1], BOX, fill=0.8, most=1.5, last_most=2.8, tags=[0.4, 1.0, 1.0, 0.0])
    assert p.columns[-1].size == pytest.approx(2.8) and p.columns[-1].size > p.columns[1].size
    assert p.columns[1].out == pytest.approx(p.columns[1].x + p.columns[1].size / 2 + 1.0)
    assert p.columns[0].x - p.columns[0].size / 2 >= BOX[0] - 1e-9 and p.right <= BOX[2] + 1e-9


def test_a_narrow_box_shrinks_the_neurons_to_keep_the_titles_apart():
    box = (-3.0, -3.0, 3.0, 3.0)
    p = place([3, 2, 4, 4, 2], box, fill=0.8, most=1.5, last_most=2.8, apart=[1.1] * 4, ends=(0.6, 0.6))
    centres = [c.x for c in p.columns]
    assert all(b - a >= 1.1 - 1e-9 for a, b in zip(centres, centres[1:]))
    assert centres[0] >= box[0] + 0.6 - 1e-9 and centres[-1] <= box[2] - 0.6 + 1e-9
    assert p.span >= 0.6 - 1e-9 and p.columns[-1].size < 2.8


def test_a_short_network_is_centred_not_stretched():
    p = place([1, 1], BOX, max_span=3.0)
    assert p.span == pytest.approx(3.0)
    assert (p.left + p.right) / 2 == pytest.approx(0.0)
