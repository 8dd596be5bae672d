"""Named weight arrays that share one flat buffer, so Adam and clipping are a few vector operations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

Shapes = Mapping[str, tuple[int, ...]]


class ParamSet(Mapping[str, np.ndarray]):
    """Arrays by name, each a view into `flat`; writing to a view writes to the buffer."""

    def __init__(self, shapes: Shapes, dtype: np.dtype | type = np.float32) -> None:
        self.shapes = dict(shapes)
        self.flat = np.zeros(sum(int(np.prod(s)) for s in self.shapes.values()), dtype=dtype)
        self._views: dict[str, np.ndarray] = {}
        start = 0
        for name, shape in self.shapes.items():
            size = int(np.prod(shape))
            self._views[name] = self.flat[start : start + size].reshape(shape)
            start += size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._views[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    def zeros_like(self) -> ParamSet:
        return ParamSet(self.shapes, self.dtype)

    def astype(self, dtype: np.dtype | type) -> ParamSet:
        """A copy in another precision (float64 for gradient checks)."""
        copy = ParamSet(self.shapes, dtype)
        copy.flat[:] = self.flat
        return copy

    def copy(self) -> ParamSet:
        return self.astype(self.dtype)
