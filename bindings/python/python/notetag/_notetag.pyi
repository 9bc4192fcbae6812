"""Stubs of the compiled module (checked with ``python -m mypy.stubtest notetag``)."""

from typing import Any, Dict, Iterable, List, Optional, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = ["_Model", "_threads_in_use", "predict_lang", "__version__", "FORMAT_VERSION"]

__version__: str
FORMAT_VERSION: int

def _threads_in_use(threads: Optional[int] = None) -> int: ...
def predict_lang(texts: Iterable[str], threads: Optional[int] = None) -> List[str]: ...

@final
class _Model:
    @staticmethod
    def default() -> _Model: ...
    @staticmethod
    def fit(
        texts: Iterable[str],
        labels: Iterable[Union[str, Iterable[str]]],
        params: Dict[str, Any],
        threads: Optional[int] = None,
    ) -> _Model: ...
    @staticmethod
    def autotune(
        texts: Iterable[str],
        labels: Iterable[Union[str, Iterable[str]]],
        params: Dict[str, Any],
        seconds: float,
        metric: str = "macro_f1",
        threads: Optional[int] = None,
    ) -> Tuple[_Model, List[Dict[str, Any]]]: ...
    def update(
        self,
        texts: Iterable[str],
        labels: Iterable[Union[str, Iterable[str]]],
        threads: Optional[int] = None,
    ) -> Tuple[_Model, Dict[str, int]]: ...
    @staticmethod
    def load(path: str) -> _Model: ...
    @staticmethod
    def from_bytes(data: bytes) -> _Model: ...
    def save(self, path: str) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def thresholds(self) -> List[float]: ...
    def params(self) -> Dict[str, Any]: ...
    def meta_json(self) -> str: ...
    def predict(self, texts: Iterable[str], threads: Optional[int] = None) -> List[str]: ...
    def predict_proba(self, texts: Iterable[str], threads: Optional[int] = None) -> npt.NDArray[np.float32]: ...
    def tag(
        self,
        texts: Iterable[str],
        threshold: Optional[float] = None,
        top_k: Optional[int] = None,
        threads: Optional[int] = None,
    ) -> List[Dict[str, Any]]: ...
    def explain(self, text: str, k: int = 5) -> Dict[str, Any]: ...
