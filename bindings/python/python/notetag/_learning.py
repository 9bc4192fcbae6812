"""Learning past one fit, for ``notetag.Classifier``: the ``autotune`` search
(``Classifier(autotune=SECONDS)``) and corrections (``Classifier.partial_fit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from ._errors import InvalidParameterError
from ._notetag import _Model

if TYPE_CHECKING:
    from ._classifier import Classifier


def _seconds(value: Any) -> Optional[float]:
    """``autotune`` as seconds: None, or a number (the core checks its range)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(
            f"invalid parameter `autotune`: {value!r}: need a number of seconds > 0, or None for no search"
        )
    return float(value)


def train(
    texts: Any, labels: Any, params: Dict[str, Any], threads: Optional[int]
) -> Tuple[_Model, Optional[List[Dict[str, Any]]]]:
    """Fit with ``params`` (the constructor's, without ``n_jobs``), or search from
    them when ``autotune`` is set: the model, and the leaderboard of a search."""
    seconds = _seconds(params.pop("autotune"))
    metric = params.pop("metric")
    if not isinstance(metric, str):
        raise InvalidParameterError(
            f'invalid parameter `metric`: {metric!r}: need "macro_f1" or "f1:LABEL"'
        )
    if seconds is None:
        if metric != "macro_f1":
            raise InvalidParameterError(
                f"invalid parameter `metric`: {metric!r} is what `autotune` maximises; set `autotune` too"
            )
        return _Model.fit(texts, labels, params, threads), None
    return _Model.autotune(texts, labels, params, seconds, metric, threads)


def partial_fit(clf: "Classifier", texts: Any, labels: Any) -> "Classifier":
    """``Classifier.partial_fit``: fit on the first call, else learn corrections."""
    from ._classifier import _encode_labels, _texts, _threads

    if clf._model is None:
        return clf.fit(texts, labels)
    core_labels, _ = _encode_labels(_texts(labels))
    clf._model, clf.update_ = clf._model.update(_texts(texts), core_labels, _threads(clf.n_jobs))
    clf._digest = None
    return clf
