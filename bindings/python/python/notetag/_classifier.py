"""``notetag.Classifier``: the user-facing estimator (scikit-learn conventions
without depending on scikit-learn)."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _learning
from ._errors import InvalidDataError, InvalidParameterError, NotFittedError, NotetagTypeError
from ._notetag import _Model
from ._notetag import predict_lang as _predict_lang

#: A label entry: one label, or several (the first being the primary). Labels
#: are str; numbers (e.g. from scikit-learn's LabelEncoder) are accepted too.
Label = Union[str, int, Sequence[str], Sequence[int]]
PathLike = Union[str, "os.PathLike[str]"]

_DEFAULT_LABELS = ["geopolitics", "personal", "tech", "trade_finance"]


def _texts(texts: Any) -> Any:
    """Give the core something it can iterate: a column vector (n, 1) as returned
    by some scikit-learn transformers is flattened; a pyarrow ``Array`` or
    ``ChunkedArray`` (whose items are pyarrow scalars, not ``str``) becomes a
    list of its values, nulls as ``None``; anything else passes as is (the core
    checks every item, and names a null's position)."""
    if isinstance(texts, np.ndarray) and texts.ndim == 2 and texts.shape[1] == 1:
        return texts[:, 0]
    if _is_arrow_column(texts):
        return texts.to_pylist()
    return texts


def _is_arrow_column(obj: Any) -> bool:
    """A pyarrow ``Array`` or ``ChunkedArray`` (recognised without importing
    pyarrow, which notetag does not depend on)."""
    kind = type(obj)
    return kind.__module__.partition(".")[0] == "pyarrow" and any(
        k.__name__ in ("Array", "ChunkedArray") for k in kind.__mro__
    )


#: The most threads ``n_jobs`` may ask for.
_MAX_JOBS = 1024


def _threads(n_jobs: Any) -> Optional[int]:
    """``n_jobs`` as the core takes it: None for every core, else a count."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise InvalidParameterError(
            f"invalid parameter `n_jobs`: {n_jobs!r}: need an int (>= 1, or -1 for every core) or None"
        )
    n = int(n_jobs)
    if n == -1:
        return None
    if not 1 <= n <= _MAX_JOBS:
        raise InvalidParameterError(
            f"invalid parameter `n_jobs`: {n}: need 1..={_MAX_JOBS}, or -1 or None for every core"
        )
    return n


def _path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise NotetagTypeError(f"`path` must be str or os.PathLike, not {type(path).__name__}")
    return os.fspath(path)


class Classifier:
    """Tag short notes with topics: a hashed n-gram linear model with calibrated
    probabilities and per-label thresholds.

    Use :meth:`default` for the embedded model (``geopolitics``, ``personal``,
    ``tech``, ``trade_finance``), or construct one with parameters and call
    :meth:`fit` on your own labels. Follows scikit-learn's estimator conventions
    (``get_params``/``set_params``, ``fit``/``predict``/``predict_proba``/
    ``score``, ``classes_``), so ``clone``, ``cross_val_score``, ``GridSearchCV``
    and ``Pipeline`` work, without depending on scikit-learn.

    Parameters
    ----------
    learner : {"svm", "nb", "svm+nb"}, default="svm+nb"
        One-vs-rest linear SVM (dual coordinate descent), complement naive Bayes,
        or their ensemble (scores added, naive Bayes weighted by ``nb_weight``).
        The defaults are the configuration with the best mean cross-validated
        macro-F1 over three data sets (see BENCHMARKS.md).
    c : float, default=1.0
        SVM: inverse regularisation strength, > 0.
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
        SVM loss.
    balanced : bool, default=False
        SVM: weigh positives and negatives by inverse frequency.
    max_iter : int, default=5
        SVM: maximum passes over the data, >= 1.
    tol : float, default=0.05
        SVM: stopping tolerance, > 0.
    nb_ratio : bool, default=False
        SVM: scale features by their naive-Bayes log-count ratio (NB-SVM).
    alpha : float, default=0.3
        Naive Bayes: additive smoothing, > 0.
    nb_weight : float, default=1.0
        ``"svm+nb"``: weight of naive Bayes beside the SVM's 1.0, > 0.
    word_ngrams : tuple of (int, int), default=(1, 2)
        Word n-gram lengths ``(min, max)``, 1 <= min <= max <= 4.
    char_ngrams : tuple of (int, int) or None, default=(2, 5)
        Char n-gram lengths inside words, 1 <= min <= max <= 8, or None.
    char_weight : float, default=1.0
        Weight of the char n-gram block, > 0.
    bucket_bits : int, default=20
        log2 of the number of hashed feature buckets, 10..24.
    sublinear_tf : bool, default=True
        Use ``1 + ln(tf)`` instead of raw term counts.
    min_df : int, default=1
        Drop buckets seen in fewer training notes, >= 1.
    tokenizer : str or None, default=None
        JSON of a Hugging Face ``tokenizers`` normaliser and/or pre-tokeniser
        (``{"normalizer": ..., "pre_tokenizer": ...}``); None for notetag's own
        fast scanner.
    calibration_folds : int, default=3
        Folds of the internal cross-validation that fits probability calibration
        and label thresholds, 2..20.
    seed : int, default=42
        Seed of every random choice: same data and seed, same model.
    quantize : bool, default=True
        Store weights as 8-bit and IDF as 16-bit numbers (smaller models).
    classes : list of str or None, default=None
        A fixed label set; None takes the labels found in the training data.
    threshold_floor : float, default=0.0
        The lowest threshold a label may get, 0..1: the tuned thresholds are
        raised to it, for precision where notes are more often topic-less than
        in the training data.
    short_note_floor : float, default=0.0
        The lowest threshold, 0..1, for a note of fewer than four words (mostly
        replies and reactions), at prediction, whatever the thresholds (tuned,
        set or given to ``tag``); 0 treats short notes like the others.
    autotune : float or None, default=None
        Seconds for :meth:`fit` to search the parameters (learner, n-gram ranges,
        char weight, ``c``, ``balanced``, ``nb_weight``, ``bucket_bits``,
        ``min_df``) by cross-validation on the training data alone, starting
        from the ones given, and keep the best model (``notetag train
        --autotune``). :attr:`leaderboard_` lists the candidates;
        ``training_["autotune"]`` records the search in the model.
    metric : str, default="macro_f1"
        What ``autotune`` maximises: ``"macro_f1"``, or ``"f1:LABEL"`` for the F1
        of one label.
    n_jobs : int or None, default=None
        Threads for :meth:`fit`, :meth:`predict`, :meth:`predict_proba` and
        :meth:`tag`: None or -1 for every core (notetag's shared pool, which the
        ``RAYON_NUM_THREADS`` environment variable limits), or 1..1024. Use 1 in
        Dask or Spark workers that already run one task per core. The trained
        model and every result are the same whatever the number.

    Attributes
    ----------
    classes_ : numpy.ndarray of str
        The labels, sorted: the column order of :meth:`predict_proba`. Labels
        given to :meth:`fit` as numbers (e.g. by scikit-learn's
        ``LabelEncoder``) stay numbers here and in every result.
    thresholds_ : list of float
        Per-label probability thresholds tuned in training (used by :meth:`tag`;
        a note in a language listed in ``training_["language_thresholds"]`` is
        judged by that language's own).
    training_ : dict
        What the model records about its training (rows, label counts,
        out-of-fold accuracy, macro-F1 and calibration error, the autotune
        search, the updates learnt since, ...).
    leaderboard_ : list of dict or None
        After :meth:`fit` with ``autotune``: every candidate tried, best first,
        each with ``params``, ``score`` (the ``metric``), ``macro_f1`` and
        ``seconds``; None after a plain fit.
    update_ : dict
        After :meth:`partial_fit` on a fitted model: what the update did
        (``examples``, ``wrong_before``, ``wrong_after``, ``unlearnable``,
        ``passes``).

    Examples
    --------
    >>> import notetag
    >>> texts = ["the fed held rates steady", "bond yields fell again",
    ...          "new gpu benchmarks are out", "rust compiler release notes"] * 5
    >>> labels = ["finance", "finance", "tech", "tech"] * 5
    >>> clf = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    >>> clf.classes_.tolist()
    ['finance', 'tech']
    >>> clf.predict(["rates and yields", "a faster gpu"])
    ['finance', 'tech']
    >>> clf.predict_proba(["rates and yields"]).shape
    (1, 2)
    """

    _estimator_type = "classifier"
    leaderboard_: Optional[List[Dict[str, Any]]]
    update_: Dict[str, int]

    def __init__(
        self,
        *,
        learner: str = "svm+nb",
        c: float = 1.0,
        loss: str = "squared_hinge",
        balanced: bool = False,
        max_iter: int = 5,
        tol: float = 0.05,
        nb_ratio: bool = False,
        alpha: float = 0.3,
        nb_weight: float = 1.0,
        word_ngrams: Tuple[int, int] = (1, 2),
        char_ngrams: Optional[Tuple[int, int]] = (2, 5),
        char_weight: float = 1.0,
        bucket_bits: int = 20,
        sublinear_tf: bool = True,
        min_df: int = 1,
        tokenizer: Optional[str] = None,
        calibration_folds: int = 3,
        seed: int = 42,
        quantize: bool = True,
        classes: Optional[Sequence[str]] = None,
        threshold_floor: float = 0.0,
        short_note_floor: float = 0.0,
        autotune: Optional[float] = None,
        metric: str = "macro_f1",
        n_jobs: Optional[int] = None,
    ) -> None:
        self.learner = learner
        self.c = c
        self.loss = loss
        self.balanced = balanced
        self.max_iter = max_iter
        self.tol = tol
        self.nb_ratio = nb_ratio
        self.alpha = alpha
        self.nb_weight = nb_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.char_weight = char_weight
        self.bucket_bits = bucket_bits
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.tokenizer = tokenizer
        self.calibration_folds = calibration_folds
        self.seed = seed
        self.quantize = quantize
        self.classes = classes
        self.threshold_floor = threshold_floor
        self.short_note_floor = short_note_floor
        self.autotune = autotune
        self.metric = metric
        self.n_jobs = n_jobs
        self._model: Optional[_Model] = None
        self._labels: Optional[_LabelMap] = None
        self._digest: Optional[str] = None  # of the model bytes, for __dask_tokenize__

    # ----------------------------------------------------------------- loading

    @classmethod
    def _from_model(cls, model: _Model) -> "Classifier":
        clf = cls(**model.params())
        clf._model = model
        return clf

    @classmethod
    def default(cls) -> "Classifier":
        """The embedded default model.

        Its labels are ``geopolitics``, ``personal``, ``tech`` and
        ``trade_finance``; its parameters are those it was trained with.

        Returns
        -------
        Classifier
            A fitted classifier.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier.default()
        >>> clf.classes_.tolist()
        ['geopolitics', 'personal', 'tech', 'trade_finance']
        """
        return cls._from_model(_Model.default())

    @classmethod
    def load(cls, path: PathLike) -> "Classifier":
        """Read a model file written by :meth:`save` or ``notetag train``.

        Parameters
        ----------
        path : str or os.PathLike
            The model file.

        Returns
        -------
        Classifier
            A fitted classifier with the parameters the model was trained with.

        Raises
        ------
        NotetagFileNotFoundError
            The file does not exist (also a ``FileNotFoundError``).
        InvalidModelError
            The file is not a valid notetag model (also a ``ValueError``).
        UnsupportedVersionError
            The model was written in a newer format version.

        Examples
        --------
        >>> import notetag, os, tempfile
        >>> clf = notetag.Classifier(calibration_folds=2).fit(
        ...     ["good morning", "gpu news"] * 4, ["personal", "tech"] * 4)
        >>> path = os.path.join(tempfile.mkdtemp(), "m.ntag")
        >>> clf.save(path)
        >>> notetag.Classifier.load(path).classes_.tolist()
        ['personal', 'tech']
        """
        return cls._from_model(_Model.load(_path(path)))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Classifier":
        """Read a model from the bytes of :meth:`to_bytes` (the model file format).

        Parameters
        ----------
        data : bytes
            The model in notetag's versioned model format.

        Returns
        -------
        Classifier
            A fitted classifier.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise NotetagTypeError(f"`data` must be bytes, not {type(data).__name__}")
        return cls._from_model(_Model.from_bytes(bytes(data)))

    def save(self, path: PathLike) -> None:
        """Write the model file (atomically: readers see the old file or the new).

        The file holds a format name and version, the parameters and the training
        metadata; the command line reads it with ``notetag predict --model PATH``.

        Parameters
        ----------
        path : str or os.PathLike
            Where to write.
        """
        self._fitted().save(_path(path))

    def to_bytes(self) -> bytes:
        """The model in notetag's versioned model format (what :meth:`save` writes).

        Returns
        -------
        bytes
        """
        return self._fitted().to_bytes()

    # ---------------------------------------------------------------- training

    def fit(self, texts: Iterable[str], labels: Iterable[Label]) -> "Classifier":
        """Train on notes and their labels.

        Parameters
        ----------
        texts : iterable of str
            The notes: a list, a numpy string array, a pandas Series, a pyarrow
            string Array or ChunkedArray (a null is an error naming its position)…
        labels : iterable of str or of lists of str
            One entry per note: a label, or a list of labels (multi-label; the
            first is the primary; an empty list for "no topic").

        Returns
        -------
        Classifier
            ``self``, fitted.

        Raises
        ------
        InvalidDataError
            No rows, no labels, lengths differ, or a label outside ``classes``.
        InvalidParameterError
            A parameter outside its range.
        NotetagTypeError
            A note or label that is not a str.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier(calibration_folds=2).fit(
        ...     ["rates rise", "gpu news", "rates and gpus"] * 4,
        ...     ["finance", "tech", ["tech", "finance"]] * 4)
        >>> clf.classes_.tolist()
        ['finance', 'tech']
        """
        core_labels, values = _encode_labels(_texts(labels))
        params = self.get_params()
        threads = _threads(params.pop("n_jobs"))
        if values is not None and params["classes"] is not None:
            params["classes"] = [str(c) for c in params["classes"]]
        model, self.leaderboard_ = _learning.train(_texts(texts), core_labels, params, threads)
        self._labels = None if values is None else _LabelMap(values, model.labels)
        self._model = model
        self._digest = None
        return self

    def partial_fit(self, texts: Iterable[str], labels: Iterable[Label]) -> "Classifier":
        """Learn from corrections: notes with their right labels.

        The model takes online steps on its weights until each note comes out
        right by a margin (its calibration and thresholds keep their meaning);
        it learns only features it saw in training and stores no text.
        ``training_["updates"]`` counts the updates and their notes. On an
        unfitted classifier, the first call is :meth:`fit`.

        Parameters
        ----------
        texts : iterable of str
        labels : iterable of str or of lists of str
            The right labels, as for :meth:`fit`; each must be one the model
            knows (an empty list: none of them).

        Returns
        -------
        Classifier
            ``self``, corrected (:attr:`update_` says what changed).

        Raises
        ------
        InvalidDataError
            A label the model does not know (naming its position), or lengths
            that differ.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier(calibration_folds=2).fit(
        ...     ["rates rise", "gpu news", "bond yields", "new chips"] * 3,
        ...     ["finance", "tech", "finance", "tech"] * 3)
        >>> clf.partial_fit(["chips and bond yields"], ["finance"]).predict(["chips and bond yields"])
        ['finance']
        """
        return _learning.partial_fit(self, texts, labels)

    # -------------------------------------------------------------- prediction

    def _fitted(self) -> _Model:
        if self._model is None:
            raise NotFittedError(
                "this Classifier is not fitted yet: call fit(texts, labels), or use "
                "Classifier.default() or Classifier.load(path)"
            )
        return self._model

    def __sklearn_is_fitted__(self) -> bool:
        return self._model is not None

    @property
    def classes_(self) -> np.ndarray:
        """The labels, sorted: the column order of :meth:`predict_proba`.

        A numpy array, as in scikit-learn (whose tools index with it); use
        ``clf.classes_.tolist()`` for a list.
        """
        labels = self._fitted().labels
        return np.array(labels if self._labels is None else self._labels.classes)

    @property
    def thresholds_(self) -> List[float]:
        """Per-label probability thresholds tuned in training (languages with their
        own are in ``training_["language_thresholds"]``)."""
        return self._fitted().thresholds

    def set_thresholds(self, thresholds: Mapping[Any, float]) -> "Classifier":
        """Set the decision thresholds of some labels, for notes in every language.

        Tuned thresholds suit a stream with the training data's mix of topics; a
        stream with another mix is served better by thresholds chosen on a
        labelled sample of it (compare them with :meth:`score` first). The
        thresholds are saved with the model.

        Parameters
        ----------
        thresholds : mapping of label to float
            A probability, 0..1, for each label to change; the other labels
            keep theirs.

        Returns
        -------
        Classifier
            ``self``, with the new thresholds (:attr:`thresholds_`;
            ``training_["thresholds_set"]`` lists the labels set by hand).

        Raises
        ------
        InvalidParameterError
            A label the model does not know, or a threshold outside 0..1; the
            thresholds are then unchanged.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier.default().set_thresholds({"tech": 0.3})
        >>> round(clf.thresholds_[list(clf.classes_).index("tech")], 2)
        0.3
        """
        pairs = [(str(label), float(p)) for label, p in thresholds.items()]
        self._model = self._fitted().with_thresholds(pairs)
        self._digest = None
        return self

    def set_short_note_floor(self, floor: float) -> "Classifier":
        """Set the short-note floor: the lowest threshold for a note of fewer than
        four words, whatever the thresholds.

        The default model holds such notes (mostly replies and reactions) to a
        higher bar than the others; a stream whose short notes carry topics more
        often is served better by a lower floor, chosen on a labelled sample of
        it. The floor is saved with the model, and kept as the
        ``short_note_floor`` parameter for a later :meth:`fit`.

        Parameters
        ----------
        floor : float
            A probability, 0..1; 0 holds short notes to the thresholds alone.

        Returns
        -------
        Classifier
            ``self``, with the new floor.

        Raises
        ------
        InvalidParameterError
            A floor outside 0..1; the model is then unchanged.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier.default().set_short_note_floor(0.0)
        >>> clf.get_params()["short_note_floor"]
        0.0
        """
        self._model = self._fitted().with_short_note_floor(float(floor))
        self.short_note_floor = float(floor)
        self._digest = None
        return self

    @property
    def training_(self) -> Dict[str, Any]:
        """What the model records about its training."""
        meta: Dict[str, Any] = json.loads(self._fitted().meta_json())
        return meta

    def predict(self, texts: Iterable[str]) -> List[str]:
        """The primary (most probable) label of each note.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        list of str

        Examples
        --------
        >>> import notetag
        >>> notetag.Classifier.default().predict(["The central bank raised interest rates."])
        ['trade_finance']
        """
        pred = self._fitted().predict(_texts(texts), _threads(self.n_jobs))
        return pred if self._labels is None else [self._labels.decode[p] for p in pred]

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Calibrated probability of every label for each note.

        Each label is calibrated on its own (a note may have several topics, or
        none), so rows need not sum to one.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        numpy.ndarray of float32, shape (n_notes, n_classes)
            Columns in the order of :attr:`classes_`.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier.default()
        >>> p = clf.predict_proba(["new open source compiler release", "hi"])
        >>> p.shape, p.dtype.name
        ((2, 4), 'float32')
        >>> str(clf.classes_[p[0].argmax()])
        'tech'
        """
        proba = self._fitted().predict_proba(_texts(texts), _threads(self.n_jobs))
        return proba if self._labels is None else proba[:, self._labels.order]

    def tag(
        self,
        texts: Iterable[str],
        *,
        threshold: Optional[float] = None,
        top_k: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Full predictions, as ``notetag predict`` writes them.

        Parameters
        ----------
        texts : iterable of str
        threshold : float, optional
            One probability threshold for every label instead of the tuned ones,
            0..1 (anything else raises :class:`InvalidParameterError`); notes of
            fewer than four words still need the model's ``short_note_floor``.
        top_k : int, optional
            Keep at most this many labels per note.

        Returns
        -------
        list of dict
            Per note: ``primary`` (str), ``labels`` (the labels at or above their
            threshold, most probable first; empty means the note has no topic, and
            ``primary`` is then only the most probable label), ``scores`` (dict
            label -> probability, in the order of :attr:`classes_`; full precision,
            where the command line rounds to 4 decimals) and ``lang`` (ISO 639-1
            code, or ``"und"`` when the note has too little text to tell).

        Examples
        --------
        >>> import notetag
        >>> [t] = notetag.Classifier.default().tag(["Good morning! Coffee with the kids."])
        >>> t["primary"], sorted(t["scores"])
        ('personal', ['geopolitics', 'personal', 'tech', 'trade_finance'])
        """
        tags = self._fitted().tag(_texts(texts), threshold, top_k, _threads(self.n_jobs))
        return tags if self._labels is None else [self._labels.decode_tag(t) for t in tags]

    def predict_lang(self, texts: Iterable[str]) -> List[str]:
        """The language of each note, as :meth:`tag` reports it.

        Needs no fitted model: the language comes from notetag's own detector,
        the same for every model.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        list of str
            ISO 639-1 codes, or ``"und"`` where a note has too little text to
            tell (only links, mentions, emoji or numbers, or words of no known
            language).

        Examples
        --------
        >>> import notetag
        >>> notetag.Classifier().predict_lang(["gm, coffee first", "今日はいい天気ですね", "🤙"])
        ['en', 'ja', 'und']
        """
        return _predict_lang(_texts(texts), _threads(self.n_jobs))

    def explain(self, text: str, k: int = 5) -> Dict[str, Any]:
        """The n-grams behind the prediction for one note.

        Parameters
        ----------
        text : str
            One note.
        k : int, default=5
            Features to keep per label (largest absolute contribution first).

        Returns
        -------
        dict
            ``primary``, ``labels`` (as in :meth:`tag`) and ``per_label``: one
            dict per label in :attr:`classes_` order with ``label``,
            ``probability``, ``score`` (raw score = ``bias`` + contributions),
            ``bias`` and ``top``, a list of ``(ngram, contribution)`` pairs.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier(calibration_folds=2).fit(
        ...     ["rates rise", "gpu news", "bond yields", "new chips"] * 3,
        ...     ["finance", "tech", "finance", "tech"] * 3)
        >>> e = clf.explain("gpu and chips", k=2)
        >>> e["primary"]
        'tech'
        >>> sorted(f for f, w in e["per_label"][1]["top"])
        ['chips', 'gpu']
        """
        explanation = self._fitted().explain(text, k)
        return explanation if self._labels is None else self._labels.decode_explanation(explanation)

    def score(self, texts: Iterable[str], labels: Iterable[Label], *, metric: str = "accuracy") -> float:
        """Score predictions against gold labels.

        Parameters
        ----------
        texts : iterable of str
        labels : iterable of str or of lists of str
            Gold labels as for :meth:`fit`; a list's first label is its primary,
            an empty list means "no topic".
        metric : {"accuracy", "set_f1", "no_topic_untagged", "topic_tagged_right", "coverage"}
            ``accuracy`` (default): the share of notes with a gold label whose
            predicted primary is the gold one (rows with no label left out).
            ``set_f1``: micro-F1 of the predicted label sets against the gold sets,
            over every row. ``no_topic_untagged``: the share of rows with no gold
            label that get no label. ``topic_tagged_right``: the share of rows with
            a gold label whose first predicted label is the gold primary.
            ``coverage``: the share of rows that get at least one label. Labels
            unknown to the model count as misses.

        Returns
        -------
        float

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier(calibration_folds=2).fit(
        ...     ["rates rise", "gpu news"] * 4, ["finance", "tech"] * 4)
        >>> clf.score(["rates", "gpu", "rates"], ["finance", "tech", "tech"])
        0.6666666666666666
        """
        self._fitted()
        metrics = ("accuracy", "set_f1", "no_topic_untagged", "topic_tagged_right", "coverage")
        if metric not in metrics:
            raise InvalidParameterError(f"metric {metric!r}: expected one of {', '.join(metrics)}")
        texts, labels, gold = _scoring_rows(texts, labels)
        if metric == "accuracy":
            pairs = [(p, g) for p, g in zip(self.predict(texts), gold) if g is not None]
            if not pairs:
                raise InvalidDataError("no labelled rows to score")
            return float(sum(bool(p == g) for p, g in pairs) / len(pairs))
        sets: List[List[Any]] = [
            [] if g is None else ([e] if _is_label_scalar(e) else list(e))  # type: ignore[arg-type]
            for g, e in zip(gold, labels)
        ]
        return _set_metric(metric, [t["labels"] for t in self.tag(texts)], sets)

    def score_by_lang(
        self, texts: Iterable[str], labels: Iterable[Label], *, metric: str = "accuracy"
    ) -> Dict[str, float]:
        """:meth:`score` for each language the notes are in, as :meth:`predict_lang`
        tells it (``"und"`` for notes with too little text), like ``notetag eval
        --by-lang``.

        Parameters
        ----------
        texts : iterable of str
        labels : iterable of str or of lists of str
            Gold labels, as for :meth:`score`.
        metric : str
            As for :meth:`score`.

        Returns
        -------
        dict of str to float
            Language code -> the metric over that language's notes, in code order.
            A language whose notes give the metric nothing to score (no labelled
            note for ``accuracy`` or ``topic_tagged_right``, no note without a
            label for ``no_topic_untagged``) is left out.

        Examples
        --------
        >>> import notetag
        >>> clf = notetag.Classifier.default()
        >>> texts = ["the fed held rates steady and yields fell", "日銀が金利を据え置いた。円相場は小幅に動いた"]
        >>> sorted(clf.score_by_lang(texts, ["trade_finance", "trade_finance"]))
        ['en', 'ja']
        """
        self._fitted()
        texts, listed, gold = _scoring_rows(texts, labels)
        rows: Dict[str, List[int]] = {}
        for i, lang in enumerate(self.predict_lang(texts)):
            rows.setdefault(lang, []).append(i)
        wants = {"accuracy": True, "topic_tagged_right": True, "no_topic_untagged": False}
        out: Dict[str, float] = {}
        for lang in sorted(rows):
            own = rows[lang]
            if metric in wants and not any((gold[i] is not None) == wants[metric] for i in own):
                continue
            out[lang] = self.score([texts[i] for i in own], [listed[i] for i in own], metric=metric)
        return out

    # ------------------------------------------------------ scikit-learn glue

    @classmethod
    def _param_names(cls) -> List[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor parameters (scikit-learn convention).

        Parameters
        ----------
        deep : bool, default=True
            Ignored (no parameter is itself an estimator).

        Returns
        -------
        dict
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> "Classifier":
        """Set constructor parameters (scikit-learn convention); they take effect
        at the next :meth:`fit`.

        Returns
        -------
        Classifier
            ``self``.

        Raises
        ------
        InvalidParameterError
            An unknown parameter name.

        Examples
        --------
        >>> import notetag
        >>> notetag.Classifier().set_params(c=2.0, char_ngrams=(2, 4))
        Classifier(c=2.0, char_ngrams=(2, 4))
        """
        names = self._param_names()
        for name, value in params.items():
            if name not in names:
                raise InvalidParameterError(f"unknown parameter `{name}` (known: {', '.join(names)})")
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self) -> Any:
        # Imported here so that `import notetag` never needs scikit-learn.
        from sklearn.utils import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
            ClassifierTags,
            InputTags,
            Tags,
            TargetTags,
        )

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True, one_d_labels=True),
            classifier_tags=ClassifierTags(multi_class=True, multi_label=True),
            input_tags=InputTags(one_d_array=True, two_d_array=False, string=True),
            non_deterministic=False,
        )

    # ------------------------------------------------------- pickling & repr

    def __getstate__(self) -> Dict[str, Any]:
        state = self.get_params()
        state["_model"] = None if self._model is None else self._model.to_bytes()
        state["_label_values"] = None if self._labels is None else self._labels.classes
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        state = dict(state)
        data = state.pop("_model", None)
        values = state.pop("_label_values", None)
        self.__init__(**state)  # type: ignore[misc]
        if data is not None and not isinstance(data, (bytes, bytearray, memoryview)):
            raise NotetagTypeError(f"the pickled model must be bytes, not {type(data).__name__}")
        self._model = None if data is None else _Model.from_bytes(bytes(data))
        if self._model is not None and values is not None:
            self._labels = _LabelMap(values, self._model.labels)

    # ------------------------------------------------- Dask (and sys) interplay

    def __sizeof__(self) -> int:
        """The memory held, model included, so that ``sys.getsizeof`` and Dask's
        memory accounting (``dask.sizeof``) see the model's weights rather than
        only the Python object around them."""
        return object.__sizeof__(self) + (0 if self._model is None else self._model.nbytes)

    def __dask_tokenize__(self) -> Any:
        """A deterministic token for Dask: the class, the parameters and a digest of
        the model bytes (computed once per model), so that equal classifiers get equal
        tokens without Dask pickling the whole model each time it builds a graph."""
        digest = None
        if self._model is not None:
            if self._digest is None:
                self._digest = hashlib.blake2b(self._model.to_bytes(), digest_size=16).hexdigest()
            digest = self._digest
        params = sorted((name, repr(value)) for name, value in self.get_params().items())
        labels = None if self._labels is None else repr(self._labels.classes)
        return (type(self).__module__, type(self).__qualname__, params, digest, labels)

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.kind is p.KEYWORD_ONLY
        }
        shown = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(shown)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def _primaries(labels: Any) -> List[Any]:
    """The primary label of each entry: the label itself, the first of a list, or
    None for an empty list."""
    if isinstance(labels, (str, bytes)):
        raise NotetagTypeError("`labels` must be an iterable of labels, not a single str")
    out: List[Any] = []
    for i, entry in enumerate(labels):
        if _is_label_scalar(entry):
            out.append(entry)
            continue
        try:
            items = list(entry)
        except TypeError:
            raise NotetagTypeError(
                f"`labels[{i}]` is {type(entry).__name__}: each entry must be a str label "
                "or a list of str labels"
            ) from None
        if items and not _is_label_scalar(items[0]):
            raise NotetagTypeError(f"`labels[{i}][0]` is {type(items[0]).__name__}, not a str label")
        out.append(items[0] if items else None)
    return out


def _scoring_rows(texts: Iterable[str], labels: Any) -> Tuple[List[str], Any, List[Any]]:
    """The texts and gold labels of :meth:`Classifier.score` as lists, with each
    row's primary label (None for no topic); their lengths must match."""
    texts = list(_texts(texts))
    labels = list(_texts(labels)) if not isinstance(labels, (str, bytes)) else labels
    gold = _primaries(labels)
    if len(gold) != len(texts):
        raise InvalidDataError(f"{len(texts)} texts but {len(gold)} labels")
    return texts, labels, gold


def _set_metric(metric: str, pred: List[List[Any]], gold: List[List[Any]]) -> float:
    """A label-set metric of :meth:`Classifier.score` (``metric`` other than accuracy)."""
    if not gold:
        raise InvalidDataError("no rows to score")
    if metric == "coverage":
        return sum(bool(p) for p in pred) / len(pred)
    if metric == "no_topic_untagged":
        rows = [p for p, g in zip(pred, gold) if not g]
        if not rows:
            raise InvalidDataError("no rows without a label to score")
        return sum(not p for p in rows) / len(rows)
    if metric == "topic_tagged_right":
        pairs = [(p, g) for p, g in zip(pred, gold) if g]
        if not pairs:
            raise InvalidDataError("no labelled rows to score")
        return sum(bool(p) and bool(p[0] == g[0]) for p, g in pairs) / len(pairs)
    tp = sum(len(set(p) & set(g)) for p, g in zip(pred, gold))
    fp = sum(len(set(p) - set(g)) for p, g in zip(pred, gold))
    fn = sum(len(set(g) - set(p)) for p, g in zip(pred, gold))
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def _is_label_scalar(x: Any) -> bool:
    return isinstance(x, (str, int, float, np.generic)) and not isinstance(x, (bytes, np.bytes_))


def _encode_labels(labels: Any) -> Tuple[Any, Optional[List[Any]]]:
    """Labels for the core, which knows only str labels.

    All-str labels pass through untouched (the core checks them). Other scalar
    labels (ints from ``LabelEncoder``, bools, numpy scalars) are given to the core
    as ``str(value)``, and their values are returned so results can be mapped back.
    """
    if isinstance(labels, (str, bytes)):
        return labels, None  # the core's type error
    entries = list(labels)
    if all(isinstance(e, str) or (isinstance(e, (list, tuple)) and all(isinstance(x, str) for x in e)) for e in entries):
        return entries, None
    seen: Dict[str, Any] = {}

    def encode(x: Any, where: str) -> str:
        if isinstance(x, str):
            value: Any = str(x)
        elif _is_label_scalar(x):
            value = x.item() if isinstance(x, np.generic) else x
        else:
            raise NotetagTypeError(f"`{where}` is {type(x).__name__}, not a label (str or number)")
        text = str(value)
        if seen.setdefault(text, value) != value or type(seen[text]) is not type(value):
            raise InvalidDataError(f"labels {seen[text]!r} and {value!r} are both written {text!r}")
        return text

    out: List[Any] = []
    for i, e in enumerate(entries):
        if _is_label_scalar(e):
            out.append(encode(e, f"labels[{i}]"))
        elif isinstance(e, (bytes, bytearray, np.bytes_)):
            raise NotetagTypeError(f"`labels[{i}]` is {type(e).__name__}, not a label (str or number)")
        else:
            try:
                items = list(e)
            except TypeError:
                raise NotetagTypeError(
                    f"`labels[{i}]` is {type(e).__name__}: each entry must be a label or a list of labels"
                ) from None
            out.append([encode(x, f"labels[{i}][{j}]") for j, x in enumerate(items)])
    return out, list(seen.values())


class _LabelMap:
    """Maps the core's str labels back to the caller's label values, with the
    columns in the sorted order of those values (as scikit-learn expects)."""

    def __init__(self, values: Sequence[Any], core_labels: Sequence[str]) -> None:
        by_text = {str(v): v for v in values}
        self.decode: Dict[str, Any] = {t: by_text.get(t, t) for t in core_labels}
        decoded = [self.decode[t] for t in core_labels]
        try:
            order = sorted(range(len(decoded)), key=lambda i: decoded[i])
        except TypeError:  # values of types that do not compare: keep the core's order
            order = list(range(len(decoded)))
        self.order = np.array(order, dtype=np.intp)
        self.classes: List[Any] = [decoded[i] for i in order]
        self._core = list(core_labels)

    def decode_tag(self, tag: Dict[str, Any]) -> Dict[str, Any]:
        scores = tag["scores"]
        return {
            "primary": self.decode[tag["primary"]],
            "labels": [self.decode[lab] for lab in tag["labels"]],
            "scores": {self.decode[self._core[i]]: scores[self._core[i]] for i in self.order},
            "lang": tag["lang"],
        }

    def decode_explanation(self, e: Dict[str, Any]) -> Dict[str, Any]:
        per_label = [dict(e["per_label"][i], label=self.decode[self._core[i]]) for i in self.order]
        return {
            "primary": self.decode[e["primary"]],
            "labels": [self.decode[lab] for lab in e["labels"]],
            "per_label": per_label,
        }
