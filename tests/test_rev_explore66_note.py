"""The note beside a share link that leaves out the weights before the last steps, in the page's own words: it
named "the step line", a word of the code that the page never shows, where the chain-rule panel reads "The step just
taken (step 1) moved w1 from ... to ...". Oracles: the panel's own line of the sender's session (the view's state),
and the weights the test set."""
from chainrule.teach.explore import export, limits
from chainrule.teach.explore.session import Session


def stepped(phase_after: str | None = None) -> Session:
    s = Session()
    s.act("select", {"name": "w1"})
    s.act("step")
    if phase_after:
        s.act(phase_after)
    return s


def test_the_note_names_the_panels_line_the_link_leaves_out_not_a_word_of_the_code():
    s = stepped()
    shown = s.state()["derivation"]["step"]
    assert shown.startswith("The step just taken (step 1) moved w1 from ")     # what the sender's page reads
    s.before = [w * 0 + 3e6 for w in s.before]
    code, note = export.shared(s)
    assert "step line" not in note
    assert note.startswith("The link leaves out the weights before the last steps")
    assert 'chain-rule panel lacks the line "The step just taken' in note
    assert "one of them is about 3,000,000, outside what a link holds " \
           f"({limits.between(limits.MAX_VALUE)})" in note


def test_the_note_for_a_link_too_long_with_them_says_how_long_a_link_may_be(monkeypatch):
    s = stepped()
    kept, s.before = s.before, None
    without = export.share_code(s)
    s.before = kept
    monkeypatch.setattr(limits, "MAX_SHARE", len(without))
    code, note = export.shared(s)
    assert code == without and "step line" not in note
    assert f"with them the link would be longer than {len(without):,} characters, the most a link holds" in note


def test_a_share_code_of_null_is_refused_saying_none_not_nonetype():
    """`{"code": null}` was told "got NoneType None"; the page's other fields say "got None"."""
    import pytest

    from chainrule.errors import ValidationError
    with pytest.raises(ValidationError) as refused:
        Session().act("load_share", {"code": None})
    assert str(refused.value) == f"a share code is a text of 1 to {limits.MAX_SHARE:,} characters; got None"
    with pytest.raises(ValidationError, match=r"; got None$"):
        limits.number(None, "w1", limits.MAX_VALUE)      # the page's other fields, alike
