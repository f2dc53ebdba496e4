from nnanim.scenes.notation import ELLIPSIS, shown, subscripted, wrapped


def test_indices_become_subscripts_and_other_labels_stay():
    assert subscripted("w_012") == "w\u2080\u2081\u2082"
    assert subscripted("x_1") == "x\u2081"
    assert subscripted("w_12,0,1") == "w\u2081\u2082,\u2080,\u2081"
    assert subscripted("x") == "x"
    assert subscripted("temperature_in_celsius_at_noon") == "temperature_in_celsius_at_noon"
    assert subscripted("}{\\input{x}%$#_^") == "}{\\input{x}%$#_^"


def test_long_labels_wrap_at_word_breaks():
    assert wrapped("temperature_in_celsius_at_noon", 16) == "temperature_in_\ncelsius_at_noon"
    assert wrapped("x", 16) == "x"
    assert wrapped("}{\\input{x}%$#_^", 16) == "}{\\input{x}%$#_^"


def test_what_does_not_fit_is_marked_not_cut_silently():
    for label in ("a_very_long_loss_label_written_by_a_student", "supercalifragilisticexpialidocious_value",
                  "x" * 80):
        for width in (8, 12, 16):
            lines = wrapped(label, width).split("\n")
            assert len(lines) <= 2 and all(len(line) <= width for line in lines)
            assert lines[-1].endswith(ELLIPSIS)
    assert wrapped("a_very_long_loss_label_written_by_a_student", 16).startswith("a_very_long_\n")


def test_rows_shown_keep_the_first_and_the_last():
    assert shown(3, 5) == [0, 1, 2]
    assert shown(5, 5) == [0, 1, 2, 3, 4]
    assert shown(8, 5) == [0, 1, 2, None, 7]
    assert len(shown(100, 8)) == 8
