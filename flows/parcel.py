"""Task parameters that Prefect carries without opening.

Before a task run, Prefect walks its parameters looking for futures to wait for
(`visit_collection`), into every list, dict and dataclass field. A batch of 32 documents
with their facts costs about 50 ms of CPU per task call that way (measured: 107–122 ms wall,
49–54 ms CPU, against 2.7–4 ms and 2.3–2.6 ms wrapped, on a busy 2-core machine): over a
thousand pages, seconds of pure orchestration. A `Parcel` is opaque to that walk; it holds
plain values (never futures), and pickles, so it travels to Dask workers as well.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Parcel(Generic[T]):
    """A value handed to a task as is."""

    __slots__ = ("content",)

    def __init__(self, content: T) -> None:
        self.content = content

    def __getstate__(self) -> T:
        return self.content

    def __setstate__(self, content: T) -> None:
        self.content = content

    def __repr__(self) -> str:  # what Prefect shows for the parameter
        size = len(self.content) if hasattr(self.content, "__len__") else "?"
        return f"Parcel({type(self.content).__name__} of {size})"
