"""An option, or a misspelt one, where a value is expected (`explain --inputs --targ 1`): argparse said only
"expected one argument", as if the value were merely forgotten; the error now names the word that took the value's
place and, for a misspelling, the option it likely meant."""
import pytest
from conftest import cmd


@pytest.mark.parametrize("argv, said", [
    (["explain", "--inputs", "--targ", "1"], "(--targ, no option, came in its place: did you mean --targets? "
                                             "give --inputs a value before it)"),
    (["explain", "--inputs", "-targ", "1"], "(-targ, no option, came in its place: did you mean --targets? "
                                            "give --inputs a value before it)"),
    (["explain", "--inputs", "--targets", "1"], "(the option --targets came in its place: give --inputs a value "
                                                "before it)"),
    (["train", "x.csv", "--target", "--epohcs", "3"], "(--epohcs, no option, came in its place: did you mean "
                                                      "--epochs? give --target a value before it)"),
])
def test_names_the_word_that_took_the_place_of_a_value(argv, said):
    r = cmd(*argv)
    last = r.stderr.splitlines()[-1]
    assert r.returncode == 2 and last.endswith(f"expected one argument {said}"), r.stderr
