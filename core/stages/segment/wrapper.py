"""A segmenter that runs another one and answers for it."""

from __future__ import annotations


class SegmenterWrapper:
    """Stands in for ``inner``: its model ``info`` and ``input_size``, and ``reset`` and ``close`` passed
    on. Subclasses say what ``segment`` does with it."""

    def __init__(self, inner):
        self.inner = inner
        self.info, self.input_size = inner.info, inner.input_size

    def reset(self) -> None:
        self.inner.reset()

    def close(self) -> None:
        self.inner.close()
