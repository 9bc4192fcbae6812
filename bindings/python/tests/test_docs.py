"""The examples in the docstrings run (against the installed package)."""

from __future__ import annotations

import doctest

import pytest

import notetag
import notetag._classifier
import notetag._errors

MODULES = [notetag, notetag._classifier, notetag._errors]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module.__name__}"


def test_there_are_examples() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for m in MODULES for t in finder.find(m))
    assert examples >= 20


def test_public_api_is_documented() -> None:
    for name in notetag.__all__:
        obj = getattr(notetag, name)
        if callable(obj):
            assert obj.__doc__, name
    for name, member in vars(notetag.Classifier).items():
        if not name.startswith("_") and callable(getattr(member, "__func__", member)):
            assert getattr(notetag.Classifier, name).__doc__, name
