"""Run one command's work over many inputs, in input order.

``work`` is a picklable callable (a module-level function, or a
``functools.partial`` of one over frozen settings) that turns one
:class:`~articletool.files.Input` into a result and never raises for bad
input: it returns its error inside the result. Errors found while discovering
inputs pass through unchanged, in their place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .errors import InputError
from .files import Input

T = TypeVar("T")


def map_inputs(
    work: Callable[[Input], T], items: Iterable[Input | InputError], jobs: int = 1
) -> Iterator[T | InputError]:
    """Apply ``work`` to every input and yield the results in input order."""
    for item in items:
        yield item if isinstance(item, InputError) else work(item)
