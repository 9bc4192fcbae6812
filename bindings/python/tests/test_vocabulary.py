"""The Python keyword arguments are the core's parameter vocabulary: the same
names, in the same order, with the same defaults, each documented."""

import inspect
import re

import notetag
from notetag._notetag import _param_table


def _signature_defaults() -> dict:
    sig = inspect.signature(notetag.Classifier.__init__)
    # n_jobs, autotune and metric say how to fit, not what the model is.
    fit_options = {"n_jobs", "autotune", "metric"}
    return {p.name: p.default for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY and p.name not in fit_options}


def test_keyword_arguments_are_the_vocabulary() -> None:
    table = _param_table()
    assert list(_signature_defaults()) == [p["name"] for p in table]


def test_defaults_are_the_vocabulary_defaults() -> None:
    defaults = _signature_defaults()
    for p in _param_table():
        want = p["default"]
        got = defaults[p["name"]]
        assert got == want and type(got) is type(want), (p["name"], got, want)


def test_every_parameter_is_documented_with_its_default() -> None:
    doc = notetag.Classifier.__doc__ or ""
    for p in _param_table():
        default = p["default"]
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        assert re.search(rf"^    {re.escape(p['name'])} : .*default={re.escape(shown)}$", doc, re.M), p["name"]

